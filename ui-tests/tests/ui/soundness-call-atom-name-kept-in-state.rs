#![forbid(unsafe_code)]
// Keeping an atom name borrowed from the `port_call` arguments: they are lent for the call
// only (copy the name, or match it against a static `Atom`).
use erldrv::term::AtomName;
use erldrv::*;

struct Foo {
    mode: Option<AtomName<'static>>,
}

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo { mode: None })
    }

    fn call(&mut self, _port: &Port, _command: u32, mode: AtomName<'_>) -> Result<(), CallError> {
        self.mode = Some(mode);
        Ok(())
    }
}

fn main() {}
