// `name` with something other than a string literal.
use erldrv::*;

struct Foo;

#[erl_driver(name = 5)]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }
}

fn main() {}
