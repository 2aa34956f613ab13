// An async command's arguments are used after the call has returned: they must be owned.
use erldrv::*;

struct Kv;

#[erl_driver(name = "kv_drv")]
impl Driver for Kv {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Kv)
    }

    #[command(async)]
    fn hash(data: &[u8], name: &str) -> u64 {
        (data.len() + name.len()) as u64
    }
}

fn main() {}
