#![forbid(unsafe_code)]
// Keeping the port handle from `start`, as C drivers keep their `ErlDrvPort`: the `Port` is
// lent for the call only, and the state must be `'static`.
use erldrv::*;

struct Foo {
    port: &'static Port<'static>,
}

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo { port })
    }

    fn stop(self, _port: &Port) {
        self.port.output(b"bye");
    }
}

fn main() {}
