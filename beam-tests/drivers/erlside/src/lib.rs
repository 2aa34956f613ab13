//! `erlside_drv`: the driver behind the tests of the Erlang module `erldrv`
//! (`beam-tests/test/erlside_tests.erl`).
//!
//! - control `LIBRARY` replies with the path of the file this code was loaded from, so that a
//!   test can tell which copy of the library is running after `erldrv:reload/2`.
//! - `finish` sets the VM environment variable `ERLSIDE_DRV_FINISHED` to `yes`.
//! - It stands in for the runtime's reason messages, which it sends itself before failing:
//!   `open_port` with arguments `refuse <Reason>` (or `refuse_enoent <Reason>`) sends the
//!   opener `{Port, {erldrv_start_error, <<Reason>>}}` and refuses with `badarg` (or
//!   `enoent`); control `BADARG_WITH_REASON` sends the caller
//!   `{Port, {erldrv_badarg, Data}}` and fails with `badarg`; call `REPLY_PANIC` replies
//!   `{erldrv_panic, <<"stand-in">>}`.
//!   `init` stands in for the runtime's init-error variable too: with
//!   `ERLSIDE_DRV_INIT=fail` in the VM environment it sets `ERLDRV_INIT_ERROR_erlside_drv`
//!   to `stand-in init error` and fails; with `fail_silently` it only fails.
//! - Real panics on request: start argument `panic`, control `PANIC`, call `PANIC`.

use std::ffi::{CStr, c_void};

use erldrv::term::{Atom, RawTerm, TermBuilder, TermWriter, ToTerm};
use erldrv::{Badarg, CallError, Driver, InitError, Pid, Port, Reply, StartError, erl_driver};

// control commands
const ECHO: u32 = 0;
const LIBRARY: u32 = 1;
const BADARG_WITH_REASON: u32 = 2;
const PANIC: u32 = 3;

// call commands
const CALL_ECHO: u32 = 0;
const CALL_PANIC: u32 = 1;
const CALL_REPLY_PANIC: u32 = 2;
const CALL_REFUSE: u32 = 3;

static START_ERROR: Atom = Atom::new("erldrv_start_error");
static BADARG: Atom = Atom::new("erldrv_badarg");
static PANIC_TAG: Atom = Atom::new("erldrv_panic");

/// The file the dynamic loader mapped this code from.
fn library_path() -> Option<String> {
    let mut info = std::mem::MaybeUninit::<libc::Dl_info>::uninit();
    let here = library_path as *const c_void;
    // SAFETY: `here` is an address inside this library; dladdr only fills `info`.
    if unsafe { libc::dladdr(here, info.as_mut_ptr()) } == 0 {
        return None;
    }
    // SAFETY: dladdr returned non-zero, so it has filled `info`.
    let info = unsafe { info.assume_init() };
    if info.dli_fname.is_null() {
        return None;
    }
    // SAFETY: the loader's NUL-terminated file name, alive while this library is loaded,
    // which it is while its code runs.
    let name = unsafe { CStr::from_ptr(info.dli_fname) };
    Some(name.to_string_lossy().into_owned())
}

/// `{Port, {Tag, <<Reason>>}}`, sent to `to` (or to the port owner).
fn send_reason(port: &Port, to: Option<Pid>, tag: &Atom, reason: &[u8]) {
    let mut t = TermBuilder::new();
    t.tuple(2);
    t.port(port.id());
    t.value(&(tag, reason));
    let _ = match to {
        Some(pid) => port.send_built(pid, &mut t),
        None => port.output_built(&mut t),
    };
}

/// The state of a port: none.
pub struct Erlside;

#[erl_driver]
impl Driver for Erlside {
    fn init() -> Result<(), InitError> {
        match erldrv::env::var("ERLSIDE_DRV_INIT").as_deref() {
            Some("fail") => {
                erldrv::env::set_var("ERLDRV_INIT_ERROR_erlside_drv", "stand-in init error");
                Err(InitError::new("stand-in init error"))
            }
            Some("fail_silently") => Err(InitError::new("failing without a variable")),
            _ => Ok(()),
        }
    }

    fn finish() {
        erldrv::env::set_var("ERLSIDE_DRV_FINISHED", "yes");
    }

    fn start(port: &Port, command: &[u8]) -> Result<Self, StartError> {
        let mut words = command.splitn(3, |b| *b == b' ').skip(1);
        let (arg, rest) = (words.next().unwrap_or(b""), words.next().unwrap_or(b""));
        match arg {
            b"" => Ok(Erlside),
            b"panic" => panic!("deliberate panic in start"),
            b"refuse" => {
                send_reason(port, None, &START_ERROR, rest);
                Err(StartError::Badarg)
            }
            b"refuse_enoent" => {
                send_reason(port, None, &START_ERROR, rest);
                Err(StartError::Errno(libc::ENOENT))
            }
            // No message: open_port's own error is all the opener gets.
            b"refuse_silently" => Err(StartError::Badarg),
            _ => Err(StartError::General),
        }
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
            LIBRARY => reply.extend_from_slice(library_path().ok_or(Badarg)?.as_bytes()),
            BADARG_WITH_REASON => {
                send_reason(port, Some(port.caller()), &BADARG, data);
                return Err(Badarg);
            }
            PANIC => panic!("deliberate panic in control"),
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
            CALL_ECHO => Ok(CallReply::Echo(args)),
            CALL_PANIC => panic!("deliberate panic in call"),
            CALL_REPLY_PANIC => Ok(CallReply::Panic),
            CALL_REFUSE => Err(CallError::badarg("refused by request")),
            _ => Err(CallError::badarg("unknown command")),
        }
    }
}

/// Replies of `call`.
pub enum CallReply<'a> {
    /// The arguments, unchanged.
    Echo(RawTerm<'a>),
    /// `{erldrv_panic, <<"stand-in">>}`, the reply the runtime is to give for a panic.
    Panic,
}

impl ToTerm for CallReply<'_> {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        match self {
            CallReply::Echo(t) => w.raw(*t),
            CallReply::Panic => {
                w.tuple(2);
                w.atom(&PANIC_TAG);
                w.binary(b"stand-in");
            }
        }
    }
}
