// Async results cross threads, so `type Async` must be `Send`: rustc's own bound error.
use erldrv::*;
use std::rc::Rc;

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    type Async = Rc<u8>;

    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }
}

fn main() {}
