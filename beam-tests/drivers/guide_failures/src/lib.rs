#![forbid(unsafe_code)]

use erldrv::{Badarg, CallError, Driver, ExitReason, Port, Reply, StartError, erl_driver};

/// One port: each control command fails in its own way.
struct Fragile;

#[erl_driver(name = "fragile_drv")]
impl Driver for Fragile {
    fn start(_port: &Port, command: &[u8]) -> Result<Self, StartError> {
        if command != b"fragile_drv" {
            return Err(StartError::refused("fragile_drv takes no arguments"));
        }
        Ok(Fragile)
    }

    fn control(
        &mut self,
        port: &Port,
        cmd: u32,
        _: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        match cmd {
            // Refused with a reason: the caller learns why.
            0 => Err(Badarg::because("command 0 refuses everything")),
            // A bug: the port closes, and the caller and the owner learn why.
            1 => panic!("control panicked on purpose"),
            // The driver closes the port with a reason of its own.
            2 => {
                port.exit(ExitReason::Atom(c"stopped_on_request"));
                Ok(())
            }
            // A job that panics: its caller alone is answered; the port stays open.
            3 => {
                let request = port
                    .request()
                    .ok_or(Badarg::because("use erldrv:request/4"))?;
                let _ = request
                    .spawn(|_cancel| -> Result<(), ()> { panic!("job panicked on purpose") });
                Ok(())
            }
            4 => {
                reply.extend_from_slice(b"fine");
                Ok(())
            }
            // Refused without a reason: a plain badarg.
            _ => Err(Badarg),
        }
    }

    // port_call(Port, 0, {A, B}) returns A div B.
    fn call(&mut self, _: &Port, _cmd: u32, (a, b): (i64, i64)) -> Result<i64, CallError> {
        a.checked_div(b)
            .ok_or(CallError::badarg("division by zero"))
    }
}
