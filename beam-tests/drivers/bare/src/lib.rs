//! `bare_drv`: writes nothing but `start`, so every entry slot the framework does not need
//! stays NULL and the VM's defaults apply (`port_control/3` and `port_call/3` raise `badarg`,
//! output is dropped). The framework's own slots (`stop`, `timeout`, `ready_async`,
//! `stop_select`, `finish`) are filled but do nothing here.

use erldrv::{Driver, Port, StartError, erl_driver};

pub struct Bare;

#[erl_driver]
impl Driver for Bare {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Bare)
    }
}
