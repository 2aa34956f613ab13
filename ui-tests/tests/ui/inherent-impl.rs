// An inherent impl, without `Driver for`.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }
}

fn main() {}
