// A command's result must be a type that can be written as a term: the error is at the return type.
use erldrv::*;

struct Kv;

#[erl_driver(name = "kv_drv")]
impl Driver for Kv {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Kv)
    }

    #[command]
    fn get(&self, key: String) -> Opaque {
        let _ = key;
        Opaque
    }
}

struct Opaque;

fn main() {}
