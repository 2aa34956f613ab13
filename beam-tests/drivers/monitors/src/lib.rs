//! `monitors_drv`: a port monitors the process that asks it to; `process_exit` tells the
//! owner when that process ends, and panics on request; a monitor is removed once.
//! `beam-tests/test/monitors_tests.erl` drives it.
//!
//! Control commands are words, a verb and its argument (`panic_in process_exit`); the
//! command number is unused.
#![forbid(unsafe_code)]

use erldrv::{Badarg, Driver, Monitor, Port, Reply, StartError, erl_driver};

/// The state of a port.
pub struct Monitors {
    /// Set by `panic_in process_exit`.
    panic_in_process_exit: bool,
}

#[erl_driver]
impl Driver for Monitors {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Monitors {
            panic_in_process_exit: false,
        })
    }

    fn control(
        &mut self,
        port: &Port,
        _command: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        let words = std::str::from_utf8(data).map_err(|_| Badarg)?;
        let (verb, arg) = words.split_once(' ').unwrap_or((words, ""));
        match verb {
            "ping" => reply.extend_from_slice(b"pong"),
            "panic_in" if arg == "process_exit" => self.panic_in_process_exit = true,
            "monitor" => {
                port.monitor_process(port.caller()).map_err(|_| Badarg)?;
            }
            "monitor_then_demonitor" => {
                let caller = port.caller();
                let m = port.monitor_process(caller).map_err(|_| Badarg)?;
                let watched = port.monitored_process(&m) == Some(caller);
                let removed = port.demonitor_process(&m).is_ok();
                let again = port.demonitor_process(&m).is_ok();
                reply.extend_from_slice(format!("{watched} {removed} {again}").as_bytes());
            }
            _ => return Err(Badarg),
        }
        Ok(())
    }

    fn process_exit(&mut self, port: &Port, _monitor: Monitor) {
        if self.panic_in_process_exit {
            panic!("deliberate panic in process_exit");
        }
        port.output(b"process_exit");
    }
}
