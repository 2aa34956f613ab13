// A callback with the right receiver but a wrong argument type: rustc's own error.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }

    fn output(&mut self, port: &Port, data: Vec<u8>) {
        port.output(&data);
    }
}

fn main() {}
