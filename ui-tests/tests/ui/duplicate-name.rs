// Two names: the error is at the second `name`.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv", name = "bar_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }
}

fn main() {}
