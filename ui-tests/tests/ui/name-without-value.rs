// `name` alone, without the string.
use erldrv::*;

struct Foo;

#[erl_driver(name)]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }
}

fn main() {}
