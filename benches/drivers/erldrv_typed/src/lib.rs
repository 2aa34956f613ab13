//! `erldrv_typed_drv`: the erldrv side of the `call_typed` bench case, a `port_call` with
//! typed arguments and reply, against the C driver decoding and encoding with ei.
//!
//! - `port_call(Port, 1, {add, Int, Binary})` → `{ok, Int + byte_size(Binary)}`. The
//!   argument type of `call` is the tuple itself, so the framework decodes the input once,
//!   straight into it; the binary is borrowed, not copied. Anything else gets the framework's
//!   `{erldrv_badarg, Message}`.

use erldrv::term::{Atom, AtomName};
use erldrv::{CallError, Driver, Port, StartError, erl_driver};

#[path = "../../add.rs"]
mod add;

/// One bench port; it needs no state.
pub struct Typed;

static OK: Atom = Atom::new("ok");

#[erl_driver(name = "erldrv_typed_drv")]
impl Driver for Typed {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Typed)
    }

    fn call<'a>(
        &mut self,
        _port: &Port,
        command: u32,
        (op, n, binary): (AtomName<'a>, i64, &'a [u8]),
    ) -> Result<(&'static Atom, i64), CallError> {
        match command {
            add::ADD => add::add(op, n, binary).map(|sum| (&OK, sum)),
            _ => Err(CallError::badarg(format!("unknown command {command}"))),
        }
    }
}
