// `ready_async` takes `Self::Async`, which defaults to `()`: a `Vec<u8>` result needs
// `type Async = Vec<u8>;`.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }

    fn ready_async(&mut self, _port: &Port, result: Vec<u8>) {
        let _ = result;
    }
}

fn main() {}
