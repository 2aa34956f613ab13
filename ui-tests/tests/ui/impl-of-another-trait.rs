// The attribute on an impl of some other trait.
use erldrv::*;

struct Foo;

trait Plugin {
    fn start(port: &Port, command: &[u8]) -> Result<Self, StartError>
    where
        Self: Sized;
}

#[erl_driver(name = "foo_drv")]
impl Plugin for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }
}

fn main() {}
