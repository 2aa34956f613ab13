// A misspelt option: the error names the option and suggests the right one.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv", port_lockin)]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }
}

fn main() {}
