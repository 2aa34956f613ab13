// Flags take no arguments either.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv", init_ack(true))]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }
}

fn main() {}
