// The same option twice: the error is at the second one.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv", soft_busy, soft_busy)]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }
}

fn main() {}
