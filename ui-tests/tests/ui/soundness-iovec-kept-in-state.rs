#![forbid(unsafe_code)]
// Keeping the I/O vector of `outputv`: it points into the VM's data for the callback only.
// (To keep the bytes, take a `Binary` with `Segment::binary` or copy them.)
use erldrv::*;

struct Foo {
    pending: Vec<IoVec<'static>>,
}

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo { pending: Vec::new() })
    }

    fn outputv(&mut self, _port: &Port, data: IoVec<'_>) {
        self.pending.push(data);
    }
}

fn main() {}
