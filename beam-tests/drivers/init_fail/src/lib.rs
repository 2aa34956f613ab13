//! `init_fail_drv`: `init` reads `INIT_FAIL_MODE` from the emulator's environment — `panic` panics, `error` returns an error,
//! anything else succeeds.

use erldrv::{Driver, InitError, Port, StartError, erl_driver};

pub struct InitFail;

#[erl_driver]
impl Driver for InitFail {
    fn init() -> Result<(), InitError> {
        match erldrv::env::var("INIT_FAIL_MODE").as_deref() {
            Some("panic") => panic!("deliberate panic in init"),
            Some("error") => Err(InitError::new("deliberate init error")),
            _ => Ok(()),
        }
    }

    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(InitFail)
    }
}
