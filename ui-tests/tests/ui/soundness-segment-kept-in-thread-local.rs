#![forbid(unsafe_code)]
// Keeping `outputv` segments in a thread-local (which needs no `Send`): a segment borrows
// from the I/O vector, lent for the callback only.
use erldrv::*;
use std::cell::RefCell;

thread_local! {
    static KEPT: RefCell<Vec<Segment<'static>>> = const { RefCell::new(Vec::new()) };
}

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }

    fn outputv(&mut self, _port: &Port, data: IoVec<'_>) {
        KEPT.with(|k| k.borrow_mut().extend(data.segments()));
    }
}

fn main() {}
