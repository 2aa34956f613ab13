// `stop_select` may run after the port is gone: it gets no `self`.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }

    fn stop_select(&mut self, event: Event) {
        let _ = event;
    }
}

fn main() {}
