//! `echo_drv`: the smallest real erldrv driver.
//!
//! - `port_command(Port, Data)` → the owner receives `{Port, {data, Data}}`. The data is
//!   passed back with `driver_outputv`, sharing the caller's binaries (no copy).
//! - `port_control(Port, 0, Data)` → `Data` (a list, or a binary after command 1).
//! - `port_control(Port, 1, _)` → switches control replies to binaries; `2` back to lists.
//! - `erlang:port_call(Port, 0, Term)` → `Term`; another command →
//!   `{erldrv_badarg, <<"unknown command N">>}`.

use erldrv::term::RawTerm;
use erldrv::{Badarg, CallError, Driver, IoVec, Port, Reply, StartError, erl_driver};

/// One echo port. It needs no state.
pub struct Echo;

const ECHO: u32 = 0;
const BINARY_MODE: u32 = 1;
const LIST_MODE: u32 = 2;

#[erl_driver(name = "echo_drv")]
impl Driver for Echo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Echo)
    }

    // Not reached while `outputv` exists (the VM prefers it); kept so that the driver
    // also works when loaded by tools that only look at `output`.
    fn output(&mut self, port: &Port, data: &[u8]) {
        port.output(data);
    }

    fn outputv(&mut self, port: &Port, data: IoVec<'_>) {
        port.outputv(&[], data, 0);
    }

    fn control(
        &mut self,
        port: &Port,
        command: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        match command {
            ECHO => reply.extend_from_slice(data),
            BINARY_MODE => port.set_control_binary(true),
            LIST_MODE => port.set_control_binary(false),
            _ => return Err(Badarg),
        }
        Ok(())
    }

    /// Echoes any term: the arguments are kept in their encoded form and written back
    /// unchanged.
    fn call<'a>(
        &mut self,
        _port: &Port,
        command: u32,
        args: RawTerm<'a>,
    ) -> Result<RawTerm<'a>, CallError> {
        match command {
            ECHO => Ok(args),
            _ => Err(CallError::badarg(format!("unknown command {command}"))),
        }
    }
}
