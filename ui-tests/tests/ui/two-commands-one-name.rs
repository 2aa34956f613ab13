// Two commands of one name: the error is at the second.
use erldrv::*;

struct Kv;

#[erl_driver(name = "kv_drv")]
impl Driver for Kv {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Kv)
    }

    #[command]
    fn get(&self, key: String) -> String {
        key
    }

    #[command(async)]
    fn get(key: String) -> String {
        key
    }
}

fn main() {}
