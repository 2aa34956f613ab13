#![forbid(unsafe_code)]
// Reading the queue in place, then dequeuing while the slices are still used: dequeuing frees
// the binaries the slices point into, so it needs the guard exclusively.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }

    fn output(&mut self, port: &Port, _data: &[u8]) {
        let mut queue = port.queue();
        let slices = queue.slices();
        queue.dequeue(slices[0].len());
        port.output(&slices[0]);
    }
}

fn main() {}
