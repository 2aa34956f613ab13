#![forbid(unsafe_code)]
// Keeping the `control` reply in a thread-local, to fill it in from a later callback: the
// buffer is lent for the `control` call only.
use erldrv::*;
use std::cell::Cell;

thread_local! {
    static PENDING: Cell<Option<&'static mut Reply<'static>>> = const { Cell::new(None) };
}

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
        _data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        PENDING.with(|p| p.set(Some(reply)));
        Ok(())
    }
}

fn main() {}
