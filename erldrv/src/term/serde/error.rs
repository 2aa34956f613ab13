//! [`Error`], for writing and reading alike: serde's error traits, and messages that
//! speak of Erlang terms (they reach Erlang callers).

use std::borrow::Cow;
use std::fmt;

use ::serde::{de, ser};

use crate::error::CallError;
use crate::term::error::{DecodeError, ErrorKind};

/// Why a value could not be written or read.
///
/// Errors from reading carry the [`DecodeError`] (see
/// [`as_decode_error`](Error::as_decode_error)) and its message, which says what was
/// expected, what was found and where. Into a [`CallError`] it becomes the message a
/// `port_call` caller receives.
pub struct Error(Repr);

enum Repr {
    /// Reading: the decoder's error, or a `Deserialize` implementation's.
    Decode(DecodeError),
    /// Writing: a `Serialize` implementation's error, or a value with no term.
    Encode(Box<str>),
}

impl Error {
    #[cold]
    pub(super) fn encode(message: impl fmt::Display) -> Error {
        Error(Repr::Encode(message.to_string().into()))
    }

    /// The decoding error, if this error comes from reading.
    pub fn as_decode_error(&self) -> Option<&DecodeError> {
        match &self.0 {
            Repr::Decode(e) => Some(e),
            Repr::Encode(_) => None,
        }
    }

    /// Adds where a reading error happened (see [`DecodeError::context`]).
    #[cold]
    pub(super) fn context(self, at: impl Into<Cow<'static, str>>) -> Error {
        match self.0 {
            Repr::Decode(e) => Error(Repr::Decode(e.context(at))),
            Repr::Encode(_) => self,
        }
    }

    pub(super) fn into_decode_error(self) -> DecodeError {
        match self.0 {
            Repr::Decode(e) => e,
            Repr::Encode(m) => DecodeError::custom(m),
        }
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Error {
        Error(Repr::Decode(e))
    }
}

impl From<Error> for CallError {
    /// A `port_call` refusal with the error's message.
    fn from(e: Error) -> CallError {
        CallError::badarg(e.to_string())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Decode(e) => fmt::Display::fmt(e, f),
            Repr::Encode(m) => f.write_str(m),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Decode(e) => f.debug_tuple("Error").field(e).finish(),
            Repr::Encode(m) => f.debug_tuple("Error").field(m).finish(),
        }
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    #[cold]
    fn custom<T: fmt::Display>(msg: T) -> Error {
        Error::encode(msg)
    }
}

impl de::Error for Error {
    #[cold]
    fn custom<T: fmt::Display>(msg: T) -> Error {
        Error(Repr::Decode(DecodeError::custom(msg)))
    }

    #[cold]
    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Error {
        expected(exp.to_string(), found(unexp))
    }

    #[cold]
    fn invalid_value(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Error {
        expected(exp.to_string(), found(unexp))
    }

    #[cold]
    fn invalid_length(len: usize, exp: &dyn de::Expected) -> Error {
        expected(exp.to_string(), format!("{len} elements"))
    }
}

/// "expected `what`, found `found`".
#[cold]
pub(super) fn expected(
    what: impl Into<Cow<'static, str>>,
    found: impl Into<Cow<'static, str>>,
) -> Error {
    Error(Repr::Decode(DecodeError::new(ErrorKind::Expected {
        expected: what.into(),
        found: found.into(),
    })))
}

/// What a visitor was given, in Erlang's terms (the messages reach Erlang callers).
fn found(unexp: de::Unexpected<'_>) -> Cow<'static, str> {
    use de::Unexpected as U;
    match unexp {
        U::Bool(b) => format!("the atom {b}").into(),
        U::Unsigned(v) => format!("the integer {v}").into(),
        U::Signed(v) => format!("the integer {v}").into(),
        U::Float(v) => format!("the float {v}").into(),
        U::Char(c) => format!("the character {c:?}").into(),
        U::Str(_) => "a string".into(),
        U::Bytes(_) => "a binary".into(),
        U::Unit => "the empty tuple".into(),
        U::Option => "an optional value".into(),
        U::NewtypeStruct => "a newtype struct".into(),
        U::Seq => "a list".into(),
        U::Map => "a map".into(),
        U::Enum | U::UnitVariant | U::NewtypeVariant | U::TupleVariant | U::StructVariant => {
            "an enum variant".into()
        }
        U::Other(s) => s.to_owned().into(),
    }
}
