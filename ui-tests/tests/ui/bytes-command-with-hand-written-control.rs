// Bytes commands are served by the generated `control`: the block cannot write its own.
use erldrv::*;

struct Kv;

#[erl_driver(name = "kv_drv")]
impl Driver for Kv {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Kv)
    }

    fn control(
        &mut self,
        _port: &Port,
        _command: u32,
        _data: &[u8],
        _reply: &mut Reply,
    ) -> Result<(), Badarg> {
        Ok(())
    }

    #[command]
    fn reverse(data: &[u8]) -> Vec<u8> {
        data.iter().rev().copied().collect()
    }
}

fn main() {}
