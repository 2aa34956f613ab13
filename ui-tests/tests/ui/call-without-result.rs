// `call` returns `Result<Reply, CallError>`.
use erldrv::*;

struct Adder;

#[erl_driver(name = "adder_drv")]
impl Driver for Adder {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Adder)
    }

    fn call(&mut self, _port: &Port, _command: u32, (a, b): (i64, i64)) -> i64 {
        a + b
    }
}

fn main() {}
