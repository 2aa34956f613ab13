// Flags are written alone, not `= true`.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv", port_locking = true)]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }
}

fn main() {}
