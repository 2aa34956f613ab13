// `spawn_async` is provided by the `Driver` trait, to be called; the block cannot define it.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }

    fn spawn_async(&self, _port: &Port, _work: impl FnOnce() + Send + 'static) {}
}

fn main() {}
