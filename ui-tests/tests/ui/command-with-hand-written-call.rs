// Sync commands are served by the generated `call`: the block cannot write its own.
use erldrv::*;

struct Kv;

#[erl_driver(name = "kv_drv")]
impl Driver for Kv {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Kv)
    }

    fn call(&mut self, _port: &Port, _command: u32, _args: i64) -> Result<i64, CallError> {
        Ok(0)
    }

    #[command]
    fn get(&self, key: String) -> String {
        key
    }
}

fn main() {}
