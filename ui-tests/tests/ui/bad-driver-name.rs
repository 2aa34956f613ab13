// The driver name is also a file name and a C identifier: no `-`.
use erldrv::*;

struct Foo;

#[erl_driver(name = "my-drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }
}

fn main() {}
