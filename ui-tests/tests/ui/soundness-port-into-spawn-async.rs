#![forbid(unsafe_code)]
// Using the port in an async job: the job runs on another thread, after the callback, so its
// closure must be `Send + 'static`. Results come back through `ready_async`.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }

    fn output(&mut self, port: &Port, _data: &[u8]) {
        self.spawn_async(port, move || port.output(b"done"));
    }
}

fn main() {}
