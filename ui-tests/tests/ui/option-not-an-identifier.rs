// Options are plain words, not paths.
use erldrv::*;

struct Foo;

#[erl_driver(erldrv::port_locking)]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }
}

fn main() {}
