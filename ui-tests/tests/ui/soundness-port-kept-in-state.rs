#![forbid(unsafe_code)]
// Keeping the port handle of a callback in the state, to use it from a later one: it is lent
// for the callback only.
use erldrv::*;

struct Foo {
    last: Option<&'static Port<'static>>,
}

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo { last: None })
    }

    fn output(&mut self, port: &Port, _data: &[u8]) {
        self.last = Some(port);
    }
}

fn main() {}
