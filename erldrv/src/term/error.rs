//! What went wrong while reading a term, said so that the caller can fix the call.

use std::borrow::Cow;
use std::fmt;

use super::Kind;

/// Why bytes could not be read as the expected term.
///
/// Its `Display` is the message an Erlang caller sees: what was expected, what was found,
/// and where, for example
/// `expected an integer, found a binary (element 2 of a tuple)`.
pub struct DecodeError(Box<Inner>);

struct Inner {
    kind: ErrorKind,
    /// Innermost first.
    context: Vec<Cow<'static, str>>,
}

/// The kinds of [`DecodeError`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input ended in the middle of a term.
    Truncated,
    /// The first byte is not the external-format version 131.
    BadVersion(u8),
    /// A compressed term (`term_to_binary(T, [compressed])`) where it cannot be read: in
    /// a borrowing decoder ([`decompress`](super::decompress) it first), or anywhere
    /// without the `compressed` feature.
    Compressed,
    /// A compressed term whose announced uncompressed size is above the limit
    /// ([`MAX_INFLATED`](super::MAX_INFLATED) unless set otherwise); nothing was inflated.
    TooLarge {
        /// The uncompressed size the term announces.
        size: usize,
        /// The limit it exceeds.
        limit: usize,
    },
    /// A compressed term whose zlib stream is corrupt, or inflates to another size than
    /// announced.
    BadCompressed(String),
    /// A tag this decoder does not know (or one only used between distributed nodes).
    UnknownTag(u8),
    /// Bytes were left after the term.
    TrailingBytes(usize),
    /// Terms nested deeper than the decoder's limit.
    TooDeep(u32),
    /// An atom in a UTF-8 tag whose bytes are not UTF-8, or longer than 255 characters.
    BadAtom,
    /// A malformed float, bit count or similar inside an otherwise well-framed term.
    Malformed(&'static str),
    /// A term of another kind than expected.
    Expected {
        /// What was expected, with its article: "an integer", "a tuple of 3 elements".
        expected: Cow<'static, str>,
        /// What was found: "a binary".
        found: Cow<'static, str>,
    },
    /// An integer outside the range of the target type.
    OutOfRange {
        /// The value as Erlang prints it.
        value: String,
        /// The target type, say `u8`.
        target: &'static str,
    },
    /// Any other message.
    Custom(String),
}

impl DecodeError {
    /// An error of this kind.
    #[cold]
    pub fn new(kind: ErrorKind) -> DecodeError {
        DecodeError(Box::new(Inner {
            kind,
            context: Vec::new(),
        }))
    }

    /// "expected `expected`, found `found`".
    #[cold]
    pub fn expected(expected: impl Into<Cow<'static, str>>, found: Kind) -> DecodeError {
        DecodeError::new(ErrorKind::Expected {
            expected: expected.into(),
            found: Cow::Borrowed(found.describe()),
        })
    }

    /// A message of your own.
    #[cold]
    pub fn custom(message: impl fmt::Display) -> DecodeError {
        DecodeError::new(ErrorKind::Custom(message.to_string()))
    }

    #[cold]
    pub(crate) fn out_of_range(value: impl fmt::Display, target: &'static str) -> DecodeError {
        DecodeError::new(ErrorKind::OutOfRange {
            value: value.to_string(),
            target,
        })
    }

    /// Adds where the error happened, as seen from the enclosing term: "element 2 of a
    /// tuple", "field `name` of Person". The innermost context is added first.
    #[cold]
    pub fn context(mut self, at: impl Into<Cow<'static, str>>) -> DecodeError {
        self.0.context.push(at.into());
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.kind {
            ErrorKind::Truncated => f.write_str("the term ends too early (truncated input)")?,
            ErrorKind::BadVersion(v) => write!(
                f,
                "not in the external term format: the first byte is {v}, not 131"
            )?,
            ErrorKind::Compressed if cfg!(feature = "compressed") => f.write_str(
                "a compressed term: inflate it with erldrv::term::decompress before decoding",
            )?,
            ErrorKind::Compressed => f.write_str(
                "a compressed term, and erldrv is built without its `compressed` feature \
                 (enable it, or encode without the compressed option)",
            )?,
            ErrorKind::TooLarge { size, limit } => write!(
                f,
                "a compressed term of {size} bytes uncompressed, above the limit of {limit}"
            )?,
            ErrorKind::BadCompressed(why) => write!(f, "malformed compressed term: {why}")?,
            ErrorKind::UnknownTag(t) => write!(f, "unknown or unsupported term tag {t}")?,
            ErrorKind::TrailingBytes(n) => write!(f, "{n} bytes left after the term")?,
            ErrorKind::TooDeep(max) => write!(f, "terms nested deeper than {max} levels")?,
            ErrorKind::BadAtom => {
                f.write_str("an atom that is not valid UTF-8 or longer than 255 characters")?
            }
            ErrorKind::Malformed(what) => write!(f, "malformed {what}")?,
            ErrorKind::Expected { expected, found } => {
                write!(f, "expected {expected}, found {found}")?
            }
            ErrorKind::OutOfRange { value, target } => {
                write!(f, "integer {value} is out of range for {target}")?
            }
            ErrorKind::Custom(m) => f.write_str(m)?,
        }
        for (i, c) in self.0.context.iter().enumerate() {
            f.write_str(if i == 0 { " (" } else { ", in " })?;
            f.write_str(c)?;
        }
        if !self.0.context.is_empty() {
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DecodeError({:?}: \"{self}\")", self.0.kind)
    }
}

impl std::error::Error for DecodeError {}
