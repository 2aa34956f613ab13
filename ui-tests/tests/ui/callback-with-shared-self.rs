// Port callbacks take `&mut self`, not `&self`.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }

    fn output(&self, port: &Port, data: &[u8]) {
        port.output(data);
    }
}

fn main() {}
