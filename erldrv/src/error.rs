//! Error types returned from driver callbacks.

use core::fmt;

/// Why `start` refused to open a port; `erlang:open_port/2` raises the matching error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartError {
    /// `ERL_DRV_ERROR_GENERAL`: `open_port/2` fails with `einval`.
    General,
    /// `ERL_DRV_ERROR_ERRNO`: `open_port/2` fails with the POSIX error atom of this errno
    /// value (for example `enoent`).
    Errno(i32),
    /// `ERL_DRV_ERROR_BADARG`: `open_port/2` raises `badarg`.
    Badarg,
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::General => f.write_str("the driver could not start the port"),
            StartError::Errno(e) => write!(f, "the driver could not start the port (errno {e})"),
            StartError::Badarg => f.write_str("bad argument to open_port"),
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

/// `erlang:port_control/3` or `erlang:port_call/3` raises `badarg` in the caller.
///
/// This is the only error the VM can report from `control` and `call`: a negative return
/// value. Drivers that need to tell callers *why* encode an error reply instead (for example
/// `{error, Reason}` from `call`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Badarg;

impl fmt::Display for Badarg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("badarg")
    }
}

impl std::error::Error for Badarg {}

/// `init` failed: `erl_ddll:load_driver/2` returns an error and the driver is not loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitError {
    message: String,
}

impl InitError {
    /// An init failure with a message; the message is written to the VM's standard error
    /// when loading fails, since `erl_ddll` has no way to carry it to the caller.
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

impl From<crate::term::DecodeError> for CallError {
    fn from(e: crate::term::DecodeError) -> CallError {
        CallError::badarg(e.to_string())
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

static ERLDRV_BADARG: crate::term::Atom = crate::term::Atom::new("erldrv_badarg");

impl crate::term::ToTerm for CallError {
    /// `{erldrv_badarg, Message}`.
    fn write<W: crate::term::TermWriter + ?Sized>(&self, w: &mut W) {
        w.tuple(2);
        w.atom(&ERLDRV_BADARG);
        w.binary(self.message.as_bytes());
    }
}
