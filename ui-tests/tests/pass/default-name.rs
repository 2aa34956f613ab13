// The smallest driver: only `start`, and no `name`, so the crate name is used.
use erldrv::*;

struct Minimal;

#[erl_driver]
impl Driver for Minimal {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Minimal)
    }
}

fn main() {}
