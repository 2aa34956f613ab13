#![forbid(unsafe_code)]
// Using the port from another thread even while the callback waits for it: `Port` is not
// `Sync`, so `&Port` cannot cross threads.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }

    fn output(&mut self, port: &Port, data: &[u8]) {
        std::thread::scope(|s| {
            s.spawn(|| port.output(data));
        });
    }
}

fn main() {}
