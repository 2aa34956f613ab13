// A port's state may move between scheduler threads, so the driver type must be `Send`:
// rustc's own bound error, at the type.
use erldrv::*;
use std::rc::Rc;

struct Foo {
    shared: Rc<u8>,
}

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo { shared: Rc::new(0) })
    }
}

fn main() {}
