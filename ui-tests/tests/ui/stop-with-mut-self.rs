// `stop` consumes the state: `self`, not `&mut self`.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }

    fn stop(&mut self, _port: &Port) {}
}

fn main() {}
