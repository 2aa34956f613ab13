// A helper method that is not a callback, written in the driver's impl block.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }

    fn greeting(&self) -> &'static [u8] {
        b"hello"
    }
}

fn main() {}
