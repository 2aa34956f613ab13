// A command argument must be a type that can be read from a term: the error is at the type.
use erldrv::*;

struct Kv;

#[erl_driver(name = "kv_drv")]
impl Driver for Kv {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Kv)
    }

    #[command]
    fn put(&mut self, key: String, value: Opaque) {
        let _ = (key, value);
    }
}

struct Opaque;

fn main() {}
