#![forbid(unsafe_code)]
// Keeping the bytes `output` received without copying them: the VM owns them, and they are
// lent for the callback only.
use erldrv::*;

struct Foo {
    last: &'static [u8],
}

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo { last: b"" })
    }

    fn output(&mut self, _port: &Port, data: &[u8]) {
        self.last = data;
    }
}

fn main() {}
