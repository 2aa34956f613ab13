// The arguments of `call` must be a type that can be read from a term.
use erldrv::*;

struct Opaque;

struct Timer;

#[erl_driver(name = "timer_drv")]
impl Driver for Timer {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Timer)
    }

    fn call(&mut self, _port: &Port, _command: u32, _args: Opaque) -> Result<u32, CallError> {
        Ok(0)
    }
}

fn main() {}
