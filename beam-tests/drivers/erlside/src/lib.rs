//! `erlside_drv`: the driver behind the tests of the Erlang module `erldrv`
//! (`beam-tests/test/erlside_tests.erl`).
//!
//! Control commands are words, a verb and its argument (`echo abc`); call requests are an
//! atom or `{Atom, Argument}` (`{echo, Term}`). The command numbers are unused.
//!
//! - control `library` replies with the path of the file this code was loaded from, so that a
//!   test can tell which copy of the library is running after `erldrv:reload/2`.
//! - `finish` sets the VM environment variable `ERLSIDE_DRV_FINISHED` to `yes`.
//! - It stands in for the runtime's reason messages, which it sends itself before failing:
//!   `open_port` with arguments `refuse <Reason>` (or `refuse_enoent <Reason>`) sends the
//!   opener `{Port, {erldrv_start_error, <<Reason>>}}` and refuses with `badarg` (or
//!   `enoent`); control `badarg_with_reason <Reason>` sends the caller
//!   `{Port, {erldrv_badarg, <<Reason>>}}` and fails with `badarg`; call `reply_panic`
//!   replies `{erldrv_panic, <<"stand-in">>}`.
//!   `init` stands in for the runtime's init-error variable too: with
//!   `ERLSIDE_DRV_INIT=fail` in the VM environment it sets `ERLDRV_INIT_ERROR_erlside_drv`
//!   to `stand-in init error` and fails; with `fail_silently` it only fails.
//! - Real panics on request: start argument `panic`, control `panic`, call `panic`.

use std::ffi::{CStr, c_void};

use erldrv::term::{Atom, FromTerm, RawTerm, TermBuilder, TermWriter, ToTerm};
use erldrv::{Badarg, CallError, Driver, InitError, Pid, Port, Reply, StartError, erl_driver};

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
        _command: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        let words = std::str::from_utf8(data).map_err(|_| Badarg)?;
        let (verb, arg) = words.split_once(' ').unwrap_or((words, ""));
        match verb {
            "echo" => reply.extend_from_slice(arg.as_bytes()),
            "library" => reply.extend_from_slice(library_path().ok_or(Badarg)?.as_bytes()),
            "badarg_with_reason" => {
                send_reason(port, Some(port.caller()), &BADARG, arg.as_bytes());
                return Err(Badarg);
            }
            "panic" => panic!("deliberate panic in control"),
            _ => return Err(Badarg),
        }
        Ok(())
    }

    fn call<'a>(
        &mut self,
        _port: &Port,
        _command: u32,
        request: Request<'a>,
    ) -> Result<CallReply<'a>, CallError> {
        match request {
            Request::Echo(term) => Ok(CallReply::Echo(term)),
            Request::Panic => panic!("deliberate panic in call"),
            Request::ReplyPanic => Ok(CallReply::Panic),
            Request::Refuse => Err(CallError::badarg("refused by request")),
        }
    }
}

/// Requests of `call`.
#[derive(FromTerm)]
pub enum Request<'a> {
    /// `{echo, Term}`: `Term`, unchanged.
    Echo(RawTerm<'a>),
    /// `panic`: a real panic.
    Panic,
    /// `reply_panic`: the reply the runtime gives for a panic, without one.
    ReplyPanic,
    /// `refuse`: an error with a reason.
    Refuse,
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
