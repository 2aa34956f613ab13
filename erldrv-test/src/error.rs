//! The one error type: what failed, and everything needed to see why.

use std::fmt;

/// What kind of step failed; the [`Error`]'s text says the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `erl` or `erlc` is not on `PATH`, or does not run.
    ErlNotFound,
    /// `cargo build` of the driver crate failed, or built no `cdylib`.
    Build,
    /// An Erlang source did not compile.
    Compile,
    /// The driver did not load (`erldrv:load/2`'s reason is in the text).
    Load,
    /// The Erlang snippet does not parse.
    Syntax,
    /// The Erlang snippet raised an exception.
    Raised,
    /// EUnit reported failures.
    EunitFailed,
    /// The VM ended in another way: killed by a signal, aborted, halted with another status.
    VmFailed,
    /// The VM did not finish within the timeout and was killed.
    Timeout,
    /// A file or a process could not be created, read or run.
    Io,
}

/// A failed step of a test: building the driver, finding Erlang, compiling, or running the
/// VM. Its text (`Display`) is the whole story: what was run, the Erlang error and stack,
/// EUnit's report and the VM's stdout and stderr (where a driver's panic message is).
///
/// ```
/// use erldrv_test::{Error, ErrorKind};
///
/// let e = Error::new(ErrorKind::Timeout, "the VM did not finish within 5s");
/// assert_eq!(e.kind(), ErrorKind::Timeout);
/// assert_eq!(e.to_string(), "the VM did not finish within 5s");
/// let text: String = e.into();
/// assert!(text.contains("5s"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    /// An error of `kind` that reads `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
        }
    }

    /// What kind of step failed.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The full text, as `Display` shows it.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// The text, for code whose errors are strings (`?` in a `Result<_, String>`).
impl From<Error> for String {
    fn from(e: Error) -> String {
        e.message
    }
}
