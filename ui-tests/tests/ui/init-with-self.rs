// `init` runs once per driver, before any port exists: no `self`.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }

    fn init(&self) -> Result<(), InitError> {
        Ok(())
    }
}

fn main() {}
