#![forbid(unsafe_code)]
// Keeping a binary borrowed from the `port_call` arguments: they are lent for the call only.
use erldrv::*;

struct Foo {
    key: &'static [u8],
}

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo { key: b"" })
    }

    fn call(&mut self, _port: &Port, _command: u32, key: &[u8]) -> Result<(), CallError> {
        self.key = key;
        Ok(())
    }
}

fn main() {}
