//! `clients_old_drv`: an older interface of `clients_drv`. Its generated client (made for
//! driver `clients_drv`) must fail to open `clients_drv`, naming the commands that differ:
//! `ints` changed (fewer arguments), `float` unchanged, `retired` removed, and every other
//! command of `clients_drv` added.
#![forbid(unsafe_code)]

use erldrv::{Driver, Port, StartError, erl_driver};

pub struct ClientsOld;

#[erl_driver(name = "clients_old_drv")]
impl Driver for ClientsOld {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(ClientsOld)
    }

    /// Two integers.
    #[command]
    fn ints(a: u8, b: i16) -> (u8, i16) {
        (a, b)
    }

    /// Twice `x`, documented differently: docs do not count.
    #[command]
    fn float(x: f64) -> f64 {
        x * 2.0
    }

    /// Gone from the newer driver.
    #[command]
    fn retired() -> bool {
        true
    }
}
