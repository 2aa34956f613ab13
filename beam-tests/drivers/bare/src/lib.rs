//! `bare_drv`: writes nothing but `start`, so every other entry slot stays NULL and the VM's
//! defaults apply (`port_control/3` and `port_call/3` raise `badarg`, output is dropped).

use erldrv::{Driver, Port, StartError, erl_driver};

pub struct Bare;

#[erl_driver]
impl Driver for Bare {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Bare)
    }
}
