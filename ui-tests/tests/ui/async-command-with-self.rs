// An async command runs on a worker without the port's state: no `&mut self`.
use erldrv::*;

struct Kv;

#[erl_driver(name = "kv_drv")]
impl Driver for Kv {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Kv)
    }

    #[command(async)]
    fn slow(&mut self, n: u64) -> u64 {
        n
    }
}

fn main() {}
