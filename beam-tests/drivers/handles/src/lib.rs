//! `handles_drv`: commands whose results hold VM handles ([`Pid`], [`PortId`]), which the
//! external format cannot carry: sync ones reach `erldrv:command/3` as a message, async
//! ones in their reply message. Called from `handles_tests.erl`.
#![forbid(unsafe_code)]

use std::sync::Mutex;

use erldrv::term::{TermType, ToTerm};
use erldrv::{Driver, Pid, Port, PortId, StartError, erl_driver};

/// Who asked, and through which port.
#[derive(ToTerm, TermType)]
pub struct Asked {
    caller: Pid,
    port: PortId,
    n: u32,
}

/// Kept by `start` for `opened`: async commands run without the port.
static OPENED: Mutex<Option<(Pid, PortId)>> = Mutex::new(None);

pub struct Handles {
    seen: Vec<Pid>,
}

#[erl_driver(name = "handles_drv")]
impl Driver for Handles {
    fn start(port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        *OPENED
            .lock()
            .map_err(|e| StartError::refused(e.to_string()))? = Some((port.connected(), port.id()));
        Ok(Handles { seen: Vec::new() })
    }

    /// The calling process.
    #[command]
    fn whoami(port: &Port) -> Pid {
        port.caller()
    }

    /// This port.
    #[command]
    fn port(port: &Port) -> PortId {
        port.id()
    }

    /// Records the caller; returns every caller recorded so far, oldest first.
    #[command]
    fn seen(&mut self, port: &Port) -> Vec<Pid> {
        self.seen.push(port.caller());
        self.seen.clone()
    }

    /// `{Owner, Port, N}`.
    #[command]
    fn owner(port: &Port, n: u32) -> (Pid, PortId, u32) {
        (port.connected(), port.id(), n)
    }

    /// A map with a pid and a port.
    #[command]
    fn asked(port: &Port, n: u32) -> Asked {
        Asked {
            caller: port.caller(),
            port: port.id(),
            n,
        }
    }

    /// `{ok, Caller}` for an even `n`, `{error, n}` for an odd one.
    #[command]
    fn checked(port: &Port, n: u32) -> Result<Pid, u32> {
        if n.is_multiple_of(2) {
            Ok(port.caller())
        } else {
            Err(n)
        }
    }

    /// A plain result beside them: still the `port_call` reply.
    #[command]
    fn double(n: u32) -> u64 {
        u64::from(n) * 2
    }

    /// The owner and port of the last port opened, as `start` kept them: an async
    /// command's reply is a term message already, so it carries them as they are.
    #[command(async)]
    fn opened() -> Result<(Pid, PortId), String> {
        OPENED
            .lock()
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "no port opened".to_owned())
    }
}
