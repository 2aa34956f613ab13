#![forbid(unsafe_code)]
// Sharing the port through a static: a static must be `Sync`, and `Port` is neither `Send`
// nor `Sync`.
use erldrv::*;
use std::sync::Mutex;

static LAST: Mutex<Option<&'static Port<'static>>> = Mutex::new(None);

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }
}

fn main() {
    let _ = &LAST;
}
