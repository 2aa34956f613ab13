// Two commands of one number: the error is at the second `id`, naming both.
use erldrv::*;

struct Kv;

#[erl_driver(name = "kv_drv")]
impl Driver for Kv {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Kv)
    }

    #[command(id = 7)]
    fn get(&self, key: String) -> String {
        key
    }

    #[command(id = 7)]
    fn put(&mut self, key: String) {
        let _ = key;
    }
}

fn main() {}
