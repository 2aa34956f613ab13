#![forbid(unsafe_code)]
// Using the port from a thread of the driver's own: the driver API may only be called on the
// scheduler thread running the callback, and the port is lent for the callback only.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }

    fn output(&mut self, port: &Port, _data: &[u8]) {
        std::thread::spawn(move || port.output(b"done"));
    }
}

fn main() {}
