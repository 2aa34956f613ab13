#![forbid(unsafe_code)]
// Keeping a `Term` read from the `port_call` arguments: its leaves borrow from them, lent for
// the call only.
use erldrv::term::Term;
use erldrv::*;

struct Foo {
    config: Option<Term<'static>>,
}

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo { config: None })
    }

    fn call<'a>(&mut self, _port: &Port, _command: u32, config: Term<'a>) -> Result<(), CallError> {
        self.config = Some(config);
        Ok(())
    }
}

fn main() {}
