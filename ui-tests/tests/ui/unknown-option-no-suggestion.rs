// An option that is nothing like a real one: no suggestion, but the list of options.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv", threads = 4)]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }
}

fn main() {}
