// `workers` and `queue` take a positive integer.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv", workers = "4", queue = 0)]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }
}

fn main() {}
