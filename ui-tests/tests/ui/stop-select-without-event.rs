// `stop_select` exists to close the event it is given: it cannot leave it out.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }

    fn stop_select() {}
}

fn main() {}
