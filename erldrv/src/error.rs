//! Error types returned from driver callbacks.

use core::fmt;
use std::borrow::Cow;

/// Why `start` refused to open a port; `erlang:open_port/2` raises the matching error.
///
/// Only [`StartError::Refused`] can say why in words: the VM's own start errors are codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartError {
    /// `ERL_DRV_ERROR_GENERAL`: `open_port/2` fails with `einval`.
    General,
    /// `ERL_DRV_ERROR_ERRNO`: `open_port/2` fails with the POSIX error atom of this errno
    /// value (for example `enoent`).
    Errno(i32),
    /// `ERL_DRV_ERROR_BADARG`: `open_port/2` raises `badarg`.
    Badarg,
    /// The driver refused the open arguments, for the reason given. `open_port/2` raises
    /// `badarg`, and the process that opened the port first receives
    /// `{Port, {erldrv_start_error, Reason}}` (`Reason` a binary);
    /// `erldrv:open/2,3` turns the two into `error({badarg, Reason})`.
    Refused(Cow<'static, str>),
}

impl StartError {
    /// A refusal with a reason the opener can read: [`StartError::Refused`].
    pub fn refused(reason: impl Into<Cow<'static, str>>) -> StartError {
        StartError::Refused(reason.into())
    }
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::General => f.write_str("the driver could not start the port"),
            StartError::Errno(e) => write!(f, "the driver could not start the port (errno {e})"),
            StartError::Badarg => f.write_str("bad argument to open_port"),
            StartError::Refused(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for StartError {}

impl From<std::io::Error> for StartError {
    /// An I/O error with an OS code becomes [`StartError::Errno`], any other becomes
    /// [`StartError::General`].
    fn from(e: std::io::Error) -> Self {
        match e.raw_os_error() {
            Some(code) => StartError::Errno(code),
            None => StartError::General,
        }
    }
}

/// `erlang:port_control/3` raises `badarg` in the caller: what
/// [`Driver::control`](crate::Driver::control) returns to refuse a request.
///
/// Write `Err(Badarg)` for a plain refusal, or `Err(Badarg::because("..."))` to tell the
/// caller why: the calling process then first receives `{Port, {erldrv_badarg, Reason}}`
/// (`Reason` a binary), and `erldrv:control/3` raises `error({badarg, Reason})` instead of a
/// bare `badarg`. The VM itself has no way to carry a reason out of `control`: it only sees
/// a negative return value.
///
/// ```
/// use erldrv::Badarg;
///
/// fn parse(data: &[u8]) -> Result<u32, Badarg> {
///     let text = std::str::from_utf8(data).map_err(|_| Badarg)?;
///     text.parse().map_err(|_| Badarg::because(format!("not a number: {text:?}")))
/// }
/// assert_eq!(parse(b"12"), Ok(12));
/// assert_eq!(parse(b"x").unwrap_err().reason(), Some("not a number: \"x\""));
/// assert_eq!(parse(b"\xff"), Err(Badarg));
/// ```
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Badarg {
    // Boxed, so that `Result<(), Badarg>` stays two words and comes back in registers.
    reason: Option<Box<Cow<'static, str>>>,
}

/// A refusal without a reason (`Err(Badarg)`); see [`Badarg::because`] for one with a
/// reason.
#[allow(non_upper_case_globals)]
pub const Badarg: Badarg = Badarg { reason: None };

impl Badarg {
    /// A refusal whose reason the caller receives (see [`Badarg`](struct@Badarg)).
    pub fn because(reason: impl Into<Cow<'static, str>>) -> Badarg {
        Badarg {
            reason: Some(Box::new(reason.into())),
        }
    }

    /// The reason given to [`Badarg::because`], if any.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref().map(|r| &**r)
    }
}

impl fmt::Debug for Badarg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reason() {
            Some(r) => write!(f, "Badarg({r:?})"),
            None => f.write_str("Badarg"),
        }
    }
}

impl fmt::Display for Badarg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reason() {
            Some(r) => write!(f, "badarg: {r}"),
            None => f.write_str("badarg"),
        }
    }
}

impl std::error::Error for Badarg {}

/// `init` failed: `erl_ddll:load_driver/2` returns an error and the driver is not loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitError {
    message: String,
}

impl InitError {
    /// An init failure with a message. Loading fails with `{error, driver_init_failed}`;
    /// `erldrv:load/2` raises an error whose text includes the message (erldrv passes it
    /// through the VM's environment, since `erl_ddll` has no way to carry it), and the
    /// message is also written to the VM's standard error.
    pub fn new(message: impl Into<String>) -> Self {
        InitError {
            message: message.into(),
        }
    }

    /// The message given to [`InitError::new`].
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for InitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InitError {}

/// The exit reason given to a port that the driver closes (see [`Port::exit`](crate::Port::exit)).
///
/// The port owner receives `{'EXIT', Port, Reason}` (or dies with `Reason` when it does not
/// trap exits). Atom reasons come from `'static` C strings only, so no atom is ever made from
/// runtime data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitReason {
    /// The port closes as with `port_close/1`: no exit signal is sent (`driver_exit(port, 0)`).
    Normal,
    /// The POSIX error atom for this errno value, e.g. `econnreset` (`driver_failure_posix`).
    Posix(i32),
    /// An atom of the driver's choosing (`driver_failure_atom`).
    Atom(&'static core::ffi::CStr),
    /// An integer reason (`driver_failure`).
    Code(i32),
    /// End of file (`driver_failure_eof`): with the `eof` option of `open_port/2`, the owner
    /// receives `{Port, eof}` and the port stays open; otherwise the port closes with `normal`.
    Eof,
}

/// A `port_call/3` that cannot be served: the caller receives `{erldrv_badarg, Message}`
/// (a tuple with a binary) instead of a reply, and `erldrv:call/3` raises
/// `error({badarg, Message})`.
///
/// Arguments that do not decode as the `call` method's argument type produce one of these
/// automatically, with a message that says what was expected and where; return one
/// yourself for arguments that decode but make no sense.
pub struct CallError {
    message: std::borrow::Cow<'static, str>,
}

impl CallError {
    /// A refusal with this message.
    pub fn badarg(message: impl Into<std::borrow::Cow<'static, str>>) -> CallError {
        CallError {
            message: message.into(),
        }
    }

    /// The message the caller receives.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CallError({:?})", self.message)
    }
}

impl std::error::Error for CallError {}

/// An async job panicked: what [`ready_async`](crate::Driver::ready_async) receives in
/// place of its result. The port stays open; the panic was written to standard error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobPanic {
    message: String,
}

impl JobPanic {
    pub(crate) fn new(message: &str) -> JobPanic {
        JobPanic {
            message: message.to_owned(),
        }
    }

    /// The panic's message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for JobPanic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the async job panicked: {}", self.message)
    }
}

impl std::error::Error for JobPanic {}
