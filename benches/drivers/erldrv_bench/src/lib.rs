//! `erldrv_bench_drv`: the erldrv side of most `cargo xtask bench` cases. It does what
//! `benches/c/c_bench_drv.c` does, with the framework:
//!
//! - `port_control(Port, 0, Data)` → `Data`, as a list; as a binary after command 1
//!   (command 2 switches back to lists).
//! - `port_call(Port, 0, Term)` → `Term`: the argument is kept in its encoded form
//!   ([`RawTerm`]) and written back unchanged.
//! - `port_call(Port, 1, {add, Int, Binary})` → `{ok, Int + byte_size(Binary)}`. The
//!   arguments arrive as a [`RawTerm`] too (the driver has one `call` signature), so they are
//!   read twice: checked once by the framework, then decoded. `erldrv_typed_drv` measures the
//!   same call with the tuple type as the argument type.
//! - `port_command(Port, Data)` → the owner receives `{Port, {data, Data}}`: `outputv`
//!   passes the VM's I/O vector straight back (`driver_outputv`), sharing its binaries.

use erldrv::term::{Atom, AtomName, RawTerm, TermWriter, ToTerm};
use erldrv::{Badarg, CallError, Driver, IoVec, Port, Reply, StartError, erl_driver};

#[path = "../../add.rs"]
mod add;

/// One bench port; it needs no state (the control mode is kept by the framework).
pub struct Bench;

const ECHO: u32 = 0;
const BINARY_MODE: u32 = 1;
const LIST_MODE: u32 = 2;

static OK: Atom = Atom::new("ok");

/// What `call` replies with.
pub enum CallReply<'a> {
    /// The argument term, unchanged.
    Echo(RawTerm<'a>),
    /// `{ok, Sum}`.
    Sum(i64),
}

impl ToTerm for CallReply<'_> {
    #[inline]
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        match self {
            CallReply::Echo(term) => term.write(w),
            CallReply::Sum(sum) => (&OK, *sum).write(w),
        }
    }
}

#[erl_driver(name = "erldrv_bench_drv")]
impl Driver for Bench {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Bench)
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

    fn call<'a>(
        &mut self,
        _port: &Port,
        command: u32,
        args: RawTerm<'a>,
    ) -> Result<CallReply<'a>, CallError> {
        match command {
            ECHO => Ok(CallReply::Echo(args)),
            add::ADD => {
                let (op, n, binary) = args.decoder().decode::<(AtomName<'_>, i64, &[u8])>()?;
                add::add(op, n, binary).map(CallReply::Sum)
            }
            _ => Err(CallError::badarg(format!("unknown command {command}"))),
        }
    }
}
