// A reply that borrows from the arguments must name their lifetime.
use erldrv::term::Term;
use erldrv::*;

struct Echo;

#[erl_driver(name = "echo_drv")]
impl Driver for Echo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Echo)
    }

    fn call(&mut self, _port: &Port, _command: u32, args: Term<'_>) -> Result<Term<'_>, CallError> {
        Ok(args)
    }
}

fn main() {}
