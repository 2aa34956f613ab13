//! `timers_drv`: a port's timer, set, read and cancelled; `timeout` tells the owner, and
//! panics on request. `beam-tests/test/timers_tests.erl` drives it.
//!
//! Control commands are words, a verb and its argument (`timer 10`); the command number is
//! unused.
#![forbid(unsafe_code)]

use erldrv::{Badarg, Driver, Port, Reply, StartError, erl_driver};

/// The state of a port.
pub struct Timers {
    /// Set by `panic_in timeout`.
    panic_in_timeout: bool,
}

#[erl_driver]
impl Driver for Timers {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Timers {
            panic_in_timeout: false,
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
            "panic_in" if arg == "timeout" => self.panic_in_timeout = true,
            "timer" => port.set_timer(arg.trim().parse().map_err(|_| Badarg)?),
            "read_timer" => match port.read_timer() {
                Some(ms) => reply.extend_from_slice(ms.to_string().as_bytes()),
                None => reply.extend_from_slice(b"none"),
            },
            "cancel_timer" => port.cancel_timer(),
            _ => return Err(Badarg),
        }
        Ok(())
    }

    fn timeout(&mut self, port: &Port) {
        if self.panic_in_timeout {
            panic!("deliberate panic in timeout");
        }
        port.output(b"timeout");
    }
}
