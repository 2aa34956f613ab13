#![forbid(unsafe_code)]
// Keeping the bytes `control` received in a static: they are lent for the callback only.
use erldrv::*;
use std::sync::Mutex;

static LAST: Mutex<Option<&'static [u8]>> = Mutex::new(None);

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }

    fn control(
        &mut self,
        _port: &Port,
        _command: u32,
        data: &[u8],
        _reply: &mut Reply,
    ) -> Result<(), Badarg> {
        *LAST.lock().unwrap() = Some(data);
        Ok(())
    }
}

fn main() {}
