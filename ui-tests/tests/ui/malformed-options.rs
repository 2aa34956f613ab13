// Options are separated by commas.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv" port_locking)]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }
}

fn main() {}
