//! Any [`Serialize`] or [`Deserialize`] type as an Erlang term (feature `serde`).
//!
//! [`to_vec`] and [`from_slice`] convert between a value and the external term format
//! (`term_to_binary/1`, `binary_to_term/1`); [`to_writer`] writes into any [`Encoder`], such
//! as one over a [`Reply`](crate::Reply). [`Serde`] wraps a serde type so that it is a
//! [`ToTerm`] and a [`FromTerm`], which makes it a `port_call` argument or reply, or a
//! message, like any other term.
//!
//! ```
//! use erldrv::term::serde::{from_slice, to_vec};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize, Debug, PartialEq)]
//! #[serde(rename_all = "snake_case")]
//! enum Shape<'a> {
//!     Circle { radius: f64 },
//!     Label(&'a str),
//!     Empty,
//! }
//!
//! // {circle, #{radius => 1.5}}
//! let bytes = to_vec(&Shape::Circle { radius: 1.5 })?;
//! assert_eq!(from_slice::<Shape>(&bytes)?, Shape::Circle { radius: 1.5 });
//!
//! // {label, <<"hi">>}: the string is read without copying
//! let bytes = to_vec(&Shape::Label("hi"))?;
//! assert_eq!(from_slice::<Shape>(&bytes)?, Shape::Label("hi"));
//!
//! // empty
//! assert_eq!(to_vec(&Shape::Empty)?, b"\x83\x77\x05empty");
//! # Ok::<(), erldrv::term::serde::Error>(())
//! ```
//!
//! # Data model
//!
//! How serde's types become terms, and what else reading accepts:
//!
//! | serde | written as | also read from |
//! |-------|------------|----------------|
//! | `bool` | `true` / `false` | |
//! | integers, up to `i128` and `u128` | integer | (reading checks the range) |
//! | `f32`, `f64` | float (NaN and infinities are an error: Erlang has neither) | |
//! | `char` | UTF-8 binary of the character | integer (its code point) |
//! | string | UTF-8 binary | atom |
//! | bytes | binary | list of bytes |
//! | `None` / `Some(v)` | atom `undefined` / `v` | |
//! | `()`, unit struct | `{}` | |
//! | unit variant | atom: the variant name | binary, `{Name}` |
//! | newtype struct | the inner value | |
//! | newtype variant | `{Name, Value}` | name as a binary |
//! | sequence | proper list | binary (its bytes as integers) |
//! | tuple, tuple struct | tuple | list |
//! | tuple variant | `{Name, A, B, ...}` | name as a binary |
//! | map | map | |
//! | struct | map with atom keys (the field names) | binary keys |
//! | struct variant | `{Name, #{field => Value}}` | name as a binary, binary keys |
//!
//! Anything serde reads without a type in mind (`deserialize_any`, used by untagged and
//! internally tagged enums and by `#[serde(flatten)]`) takes every term except pids, ports,
//! references, funs, bitstrings, integers beyond 128 bits and improper lists, which are
//! errors. There, a binary is a string when it is UTF-8 (bytes otherwise), `true` and
//! `false` are booleans, `undefined` is `None`, other atoms are strings, `{}` is `()`,
//! and other tuples are sequences.
//!
//! A few consequences worth knowing:
//! - **Names are serde's.** A variant or field is written with the name serde gives it,
//!   which for Rust's `CamelCase` variants is an atom like `'Circle'`. Name them for Erlang
//!   with `#[serde(rename_all = "snake_case")]` (or `rename`). These atoms are created in
//!   the VM when the term reaches it, but they come from the type, so their number is
//!   bounded. Strings always become binaries, never atoms.
//! - **Lists of small integers are compact.** A sequence whose elements are all integers
//!   0–255 (such as a `Vec<u8>` or `&[u8]`) is written as `term_to_binary/1` writes such a
//!   list: a byte list (`STRING_EXT`) of up to 65535 elements. A borrowed `&[u8]` field
//!   reads one without copying, as it does a binary.
//! - **`#[serde(flatten)]` gives binary keys.** serde writes a struct with a flattened
//!   field as a map with string keys, so all its keys are binaries; it reads back the
//!   same.
//! - **For a binary, ask for bytes.** serde writes `Vec<u8>` and `&[u8]` as sequences;
//!   types that serialize as bytes (`serde_bytes`, or `#[serde(with = ...)]`) are binaries.
//!   Reading a `Vec<u8>` accepts a binary as well.
//! - **Arrays are tuples.** serde writes `[T; N]` as a tuple (the crate's own
//!   [`ToTerm`] writes it as a list); reading accepts either.
//! - **`undefined` is `None`.** An `Option<T>` reads the atom `undefined` as `None` even
//!   when `T` could read it, so `Some(None)` reads back as `None`.
//! - **Not human-readable.** The format reports itself as compact: `Ipv4Addr` is
//!   `{127, 0, 0, 1}` as in `inet`, other types choose their compact form.
//!
//! Reading is as safe as with [`Decoder`]: malformed input is an error, never a panic, and
//! every tuple, list, map or variant tuple counts against the decoder's nesting limit
//! ([`DEFAULT_MAX_DEPTH`](super::DEFAULT_MAX_DEPTH) unless set otherwise), so hostile
//! input cannot overflow the stack.

mod byte_probe;
mod de;
mod error;
mod ser;

pub use de::Deserializer;
pub use error::Error;
pub use ser::{MapWriter, SeqWriter, Serializer, TupleWriter};

use ::serde::{Deserialize, Serialize};

use super::atom::Atom;
use super::convert::{FromTerm, ToTerm};
use super::decode::{Decoder, RawTerm};
use super::encode::{Encoder, Sink, TermWriter};

static ERLDRV_SERDE_ERROR: Atom = Atom::new("erldrv_serde_error");

/// Encodes `value` as a whole term (with the version byte 131), as `term_to_binary/1`
/// would.
///
/// # Errors
/// When `value`'s `Serialize` implementation fails, or the value has no Erlang equivalent
/// (a NaN or infinite float).
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    let mut e = Encoder::new(Vec::new());
    e.version();
    to_writer(&mut e, value)?;
    Ok(e.into_inner())
}

/// Writes `value` as one term into `encoder` (without a version byte: write one first with
/// [`Encoder::version`] where a whole term is needed).
///
/// Containers whose length serde does not know in advance have their count filled in when
/// they end, in place, so nothing is buffered except the elements of a list of small
/// integers (see the [module documentation](self)).
///
/// # Errors
/// As [`to_vec`]. After an error the sink holds part of a term: discard it (a
/// [`Reply`](crate::Reply) is discarded when its callback returns an error).
pub fn to_writer<S: Sink, T: Serialize + ?Sized>(
    encoder: &mut Encoder<S>,
    value: &T,
) -> Result<(), Error> {
    value.serialize(&mut Serializer::new(Encoder::new(encoder.sink())))
}

/// Decodes a whole term (with the version byte 131) as `T`; all bytes must be used.
///
/// Strings and bytes that `T` borrows (`&'de str`, `&'de [u8]`, with `#[serde(borrow)]` for
/// `Cow`s) point into `bytes`: binaries are never copied.
///
/// # Errors
/// When the bytes are not one well-formed term, or the term does not fit `T`. The message
/// says what was expected, what was found and where, as
/// [`DecodeError`](super::DecodeError)'s does.
pub fn from_slice<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, Error> {
    let mut de = Deserializer::new(Decoder::new(bytes)?);
    let value = T::deserialize(&mut de)?;
    de.into_decoder().finish()?;
    Ok(value)
}

/// A serde type as a [`ToTerm`] and a [`FromTerm`].
///
/// With it, serde types go wherever terms do: `port_call` arguments and replies, term
/// output, [`term::to_vec`](super::to_vec) and [`term::from_slice`](super::from_slice),
/// and inside other terms (`(Serde(config), 42)`).
///
/// ```ignore
/// fn call<'a>(&mut self, port: &Port, command: u32, req: Serde<Request<'a>>)
///     -> Result<Serde<Response>, CallError>
/// ```
///
/// [`ToTerm::write`] cannot fail, so a value whose serialization fails (a `Serialize`
/// implementation's error, a NaN) is written as `{erldrv_serde_error, Message}` instead,
/// with `Message` a binary saying why ([`to_vec`] and [`to_writer`] return the error).
/// The value is serialized into a buffer of its own and then handed to the writer, so
/// nothing of a failed value is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Serde<T>(pub T);

impl<T: Serialize> ToTerm for Serde<T> {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        let mut e = Encoder::new(Vec::new());
        match to_writer(&mut e, &self.0) {
            // Complete: list and map counts are filled in, tuple lengths were checked.
            Ok(()) => w.raw(RawTerm::trusted(e.sink())),
            Err(err) => {
                w.tuple(2);
                w.atom(&ERLDRV_SERDE_ERROR);
                w.binary(err.to_string().as_bytes());
            }
        }
    }
}

impl<'a, T: Deserialize<'a>> FromTerm<'a> for Serde<T> {
    fn decode(d: &mut Decoder<'a>) -> super::Result<Self> {
        let mut de = Deserializer::new(*d);
        let value = T::deserialize(&mut de).map_err(Error::into_decode_error)?;
        *d = de.into_decoder();
        Ok(Serde(value))
    }
}
