// `stop_select` gets the event only: no port, since it must not use the driver API.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }

    fn stop_select(port: &Port, event: Event) {
        let _ = (port, event);
    }
}

fn main() {}
