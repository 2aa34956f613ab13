#![forbid(unsafe_code)]
// Reaching the driver API from `stop_select`, which gets no port, through a port kept in a
// thread-local: the port is lent to `start` for that call only.
use erldrv::*;
use std::cell::Cell;

thread_local! {
    static PORT: Cell<Option<&'static Port<'static>>> = const { Cell::new(None) };
}

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        PORT.with(|p| p.set(Some(port)));
        Ok(Foo)
    }

    fn stop_select(event: Event) {
        if let Some(port) = PORT.with(Cell::get) {
            port.select(event, SelectMode::READ, false);
        }
    }
}

fn main() {}
