#![forbid(unsafe_code)]
// Keeping the bytes of an `outputv` segment without taking a reference to their binary: they
// are lent for the callback only.
use erldrv::*;

struct Foo {
    chunks: Vec<&'static [u8]>,
}

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo { chunks: Vec::new() })
    }

    fn outputv(&mut self, _port: &Port, data: IoVec<'_>) {
        for segment in data.segments() {
            self.chunks.push(segment.bytes());
        }
    }
}

fn main() {}
