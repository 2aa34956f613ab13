//! Error types returned from driver callbacks.

use core::ffi::CStr;
use core::fmt;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::ffi::CString;
use std::sync::{Mutex, PoisonError};

/// The longest atom name the VM makes, in characters.
const MAX_ATOM_CHARS: usize = 255;

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
/// trap exits). Atom reasons are `'static` C strings: written in the source
/// (`ExitReason::Atom(c"closed")`), or named at run time with [`ExitReason::atom_from`],
/// which checks the name first. An [`io::Error`](std::io::Error) converts into its POSIX
/// error atom (`ExitReason::from(e)`).
///
/// ```
/// use erldrv::ExitReason;
///
/// // {'EXIT', Port, closed}
/// let fixed = ExitReason::Atom(c"closed");
/// // {'EXIT', Port, bad_frame_3}: a name computed at run time
/// let computed = ExitReason::atom_from(&format!("bad_frame_{}", 3)).unwrap();
/// assert_eq!(computed, ExitReason::Atom(c"bad_frame_3"));
/// // {'EXIT', Port, enoent}
/// let posix = ExitReason::from(std::fs::File::open("/no/such/file").unwrap_err());
/// assert_eq!(posix, ExitReason::Posix(2));
/// # let _ = fixed;
/// ```
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

impl ExitReason {
    /// An atom reason whose name the driver computes at run time: [`ExitReason::Atom`] with
    /// `name`, checked the way the VM would otherwise truncate or misread it.
    ///
    /// `driver_failure_atom` reads its name as Latin-1, so `name` may hold the characters
    /// U+0001 to U+00FF (`"é"` becomes the atom `'é'`), at most 255 of them (the VM's atom
    /// length limit). Anything else is an [`AtomError`] saying what is wrong: the VM would
    /// silently cut a longer name, read a NUL as its end, and turn other characters into
    /// several wrong ones.
    ///
    /// **Each distinct name becomes an atom** in the VM's atom table when the port exits,
    /// and atoms are never freed: a table that fills up (1,048,576 atoms by default, `+t`)
    /// stops the VM. Compute names from a bounded set (an error kind, a state name), never
    /// from what a client sends. In the same spirit, the checked name is kept for the life
    /// of the process, once per distinct name: that is what lets the reason stay a `Copy`
    /// value that can be stored and sent anywhere.
    ///
    /// ```
    /// use erldrv::{AtomError, ExitReason};
    ///
    /// let state = "handshake";
    /// let reason = ExitReason::atom_from(&format!("closed_in_{state}"))?;
    /// assert_eq!(reason, ExitReason::Atom(c"closed_in_handshake"));
    ///
    /// assert_eq!(ExitReason::atom_from(&"x".repeat(256)), Err(AtomError::TooLong { chars: 256 }));
    /// assert_eq!(ExitReason::atom_from("a\0b"), Err(AtomError::Nul));
    /// assert_eq!(ExitReason::atom_from("λ"), Err(AtomError::NotLatin1('λ')));
    /// # Ok::<(), AtomError>(())
    /// ```
    pub fn atom_from(name: &str) -> Result<ExitReason, AtomError> {
        Ok(ExitReason::Atom(intern_latin1(name)?))
    }
}

impl From<std::io::Error> for ExitReason {
    /// The POSIX error atom of the error's OS code ([`ExitReason::Posix`]: `enoent` for a
    /// file that does not exist), as `driver_failure_posix`.
    ///
    /// An error made without an OS code (`io::Error::new`, `io::Error::other`, an
    /// `ErrorKind`) has no errno to report. It becomes the errno its kind stands for where
    /// the kind names one POSIX error: `NotFound` → `enoent`, `PermissionDenied` →
    /// `eacces`, `ConnectionRefused` → `econnrefused`, `ConnectionReset` → `econnreset`,
    /// `ConnectionAborted` → `econnaborted`, `NotConnected` → `enotconn`, `AddrInUse` →
    /// `eaddrinuse`, `AddrNotAvailable` → `eaddrnotavail`, `BrokenPipe` → `epipe`,
    /// `AlreadyExists` → `eexist`, `WouldBlock` → `eagain`, `InvalidInput` → `einval`,
    /// `TimedOut` → `etimedout`, `Interrupted` → `eintr`, `Unsupported` → `enotsup`,
    /// `OutOfMemory` → `enomem`. Every other kind (`Other`, `InvalidData`,
    /// `UnexpectedEof`, ...) becomes `eio`.
    ///
    /// ```
    /// use std::io;
    /// use erldrv::ExitReason;
    ///
    /// let timed_out = io::Error::new(io::ErrorKind::TimedOut, "no answer in 5 s");
    /// if cfg!(target_os = "linux") {
    ///     assert_eq!(ExitReason::from(timed_out), ExitReason::Posix(110)); // etimedout
    /// }
    /// assert_eq!(ExitReason::from(io::Error::other("bad frame")), ExitReason::Posix(5)); // eio
    /// ```
    fn from(e: std::io::Error) -> Self {
        ExitReason::Posix(e.raw_os_error().unwrap_or_else(|| errno_of_kind(e.kind())))
    }
}

/// The errno an I/O error kind stands for (see `From<io::Error> for ExitReason`).
fn errno_of_kind(kind: std::io::ErrorKind) -> i32 {
    use std::io::ErrorKind as K;
    match kind {
        K::NotFound => libc::ENOENT,
        K::PermissionDenied => libc::EACCES,
        K::ConnectionRefused => libc::ECONNREFUSED,
        K::ConnectionReset => libc::ECONNRESET,
        K::ConnectionAborted => libc::ECONNABORTED,
        K::NotConnected => libc::ENOTCONN,
        K::AddrInUse => libc::EADDRINUSE,
        K::AddrNotAvailable => libc::EADDRNOTAVAIL,
        K::BrokenPipe => libc::EPIPE,
        K::AlreadyExists => libc::EEXIST,
        K::WouldBlock => libc::EAGAIN,
        K::InvalidInput => libc::EINVAL,
        K::TimedOut => libc::ETIMEDOUT,
        K::Interrupted => libc::EINTR,
        K::Unsupported => libc::ENOTSUP,
        K::OutOfMemory => libc::ENOMEM,
        _ => libc::EIO,
    }
}

/// A name [`ExitReason::atom_from`] refused: the VM would have made another atom of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtomError {
    /// More than 255 characters (the VM would cut the name there).
    TooLong {
        /// The characters the name has.
        chars: usize,
    },
    /// A NUL character (the VM would end the name there).
    Nul,
    /// A character above U+00FF: the VM reads exit atom names as Latin-1.
    NotLatin1(char),
}

impl fmt::Display for AtomError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AtomError::TooLong { chars } => write!(
                f,
                "an atom name has at most {MAX_ATOM_CHARS} characters, this one has {chars}"
            ),
            AtomError::Nul => f.write_str("an atom name cannot contain NUL"),
            AtomError::NotLatin1(c) => write!(
                f,
                "an exit atom's name is Latin-1, {c:?} (U+{:04X}) is not",
                u32::from(*c)
            ),
        }
    }
}

impl std::error::Error for AtomError {}

/// Names checked by [`ExitReason::atom_from`], each kept once for the life of the process
/// (as the VM keeps its atoms).
static EXIT_ATOMS: Mutex<BTreeSet<&'static CStr>> = Mutex::new(BTreeSet::new());

/// `name` in Latin-1, NUL-terminated and kept for good: checked, then looked up among the
/// names kept so far.
fn intern_latin1(name: &str) -> Result<&'static CStr, AtomError> {
    let mut latin1 = Vec::with_capacity(name.len() + 1);
    for c in name.chars() {
        match u32::from(c) {
            0 => return Err(AtomError::Nul),
            // The Latin-1 code of c is its code point.
            n @ 1..=0xFF => latin1.push(n as u8),
            _ => return Err(AtomError::NotLatin1(c)),
        }
    }
    if latin1.len() > MAX_ATOM_CHARS {
        return Err(AtomError::TooLong {
            chars: latin1.len(),
        });
    }
    latin1.push(0);
    let name = CString::from_vec_with_nul(latin1).expect("checked: one NUL, at the end");
    let mut kept = EXIT_ATOMS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(&known) = kept.get(name.as_c_str()) {
        return Ok(known);
    }
    let known: &'static CStr = Box::leak(name.into_boxed_c_str());
    kept.insert(known);
    Ok(known)
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

/// Why [`Port::monitor_process`](crate::Port::monitor_process) made no monitor
/// (`driver_monitor_process` returned non-zero).
///
/// ```no_run
/// use erldrv::{MonitorError, Pid, Port};
///
/// fn watch(port: &Port, pid: Pid) {
///     match port.monitor_process(pid) {
///         Ok(_monitor) => {} // process_exit runs when pid exits
///         // Gone already: do now what process_exit would have done.
///         Err(MonitorError::NoProcess) => port.output(b"gone"),
///         Err(e) => eprintln!("no monitor: {e}"),
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MonitorError {
    /// The process is not alive (the VM's return value is positive): it exited before the
    /// call, so no `process_exit` will ever come for it.
    NoProcess,
    /// Called in [`stop`](crate::Driver::stop): the port is going away, a monitor could
    /// never fire. The VM is not asked.
    Stopping,
    /// The VM refused (a negative return value): the port is no longer valid for it, or
    /// the driver entry has no `process_exit` (the block does not write it and the
    /// attribute does not say `watch_callers`).
    Refused,
}

impl fmt::Display for MonitorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MonitorError::NoProcess => "the process to monitor is not alive",
            MonitorError::Stopping => "the port is stopping: a monitor could never fire",
            MonitorError::Refused => "the VM refused the monitor",
        })
    }
}

impl std::error::Error for MonitorError {}

/// Why [`Port::demonitor_process`](crate::Port::demonitor_process) removed nothing
/// (`driver_demonitor_process` returned non-zero).
///
/// ```no_run
/// use erldrv::{DemonitorError, Monitor, Port};
///
/// fn unwatch(port: &Port, monitor: &Monitor) {
///     match port.demonitor_process(monitor) {
///         // Removed: process_exit will not run for it.
///         Ok(()) => {}
///         // Fired or removed before: process_exit has run, or is running, for it.
///         Err(DemonitorError::NoMonitor) => {}
///         Err(e) => eprintln!("{e}"),
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DemonitorError {
    /// No such monitor (the VM's return value is positive): it fired (its process exited)
    /// or was removed before. Also the answer, without asking the VM, for the monitor that
    /// [`process_exit`](crate::Driver::process_exit) is delivering.
    NoMonitor,
    /// The VM refused (a negative return value): the port is no longer valid for it.
    Refused,
}

impl fmt::Display for DemonitorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DemonitorError::NoMonitor => "no such monitor: it fired or was removed before",
            DemonitorError::Refused => "the VM refused to remove the monitor",
        })
    }
}

impl std::error::Error for DemonitorError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atom_names_are_kept_once_and_checked() {
        let a = ExitReason::atom_from("kept_once").unwrap();
        let b = ExitReason::atom_from(&String::from("kept_once")).unwrap();
        let (ExitReason::Atom(a), ExitReason::Atom(b)) = (a, b) else {
            panic!("not atoms");
        };
        assert!(core::ptr::eq(a, b), "one copy per distinct name");
        assert_eq!(
            ExitReason::atom_from("é"),
            Ok(ExitReason::Atom(c"\xe9")),
            "Latin-1, one byte"
        );
        assert!(ExitReason::atom_from(&"ÿ".repeat(255)).is_ok());
        assert_eq!(
            ExitReason::atom_from(&"ÿ".repeat(256)),
            Err(AtomError::TooLong { chars: 256 })
        );
        assert!(ExitReason::atom_from("").is_ok());
    }

    #[test]
    fn io_errors_without_an_os_code_fall_back_by_kind() {
        use std::io::{Error, ErrorKind};
        let posix = |e: Error| match ExitReason::from(e) {
            ExitReason::Posix(n) => n,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            posix(Error::from_raw_os_error(libc::ECONNRESET)),
            libc::ECONNRESET
        );
        assert_eq!(posix(ErrorKind::NotFound.into()), libc::ENOENT);
        assert_eq!(
            posix(Error::new(ErrorKind::BrokenPipe, "gone")),
            libc::EPIPE
        );
        assert_eq!(posix(Error::other("x")), libc::EIO);
        assert_eq!(posix(ErrorKind::InvalidData.into()), libc::EIO);
    }
}
