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

use std::borrow::Cow;
use std::fmt;

use ::serde::de::{self, DeserializeSeed, Visitor};
use ::serde::{Deserialize, Serialize, ser};

use super::bigint::Integer;
use super::convert::SMALL_INTS;
use super::decode::ListHead;
use super::error::{DecodeError, ErrorKind};
use super::{Atom, AtomName, Decoder, Encoder, FromTerm, Kind, RawTerm, Sink, TermWriter, ToTerm};
use crate::CallError;

static UNDEFINED: Atom = Atom::new("undefined");
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
/// says what was expected, what was found and where, as [`DecodeError`]'s does.
pub fn from_slice<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, Error> {
    let mut de = Deserializer::new(Decoder::new(bytes)?);
    let value = T::deserialize(&mut de)?;
    de.d.finish()?;
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
            Ok(()) => w.raw(RawTerm::from_encoder(e.sink())),
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
        *d = de.d;
        Ok(Serde(value))
    }
}

// ---- errors ----

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
    fn encode(message: impl fmt::Display) -> Error {
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
    fn context(self, at: impl Into<Cow<'static, str>>) -> Error {
        match self.0 {
            Repr::Decode(e) => Error(Repr::Decode(e.context(at))),
            Repr::Encode(_) => self,
        }
    }

    fn into_decode_error(self) -> DecodeError {
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
fn expected(what: impl Into<Cow<'static, str>>, found: impl Into<Cow<'static, str>>) -> Error {
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

// ---- writing ----

/// A serde [`Serializer`](ser::Serializer) that writes terms with an [`Encoder`].
///
/// [`to_vec`] and [`to_writer`] are the usual way in; this type is for code that needs a
/// serializer value.
#[derive(Debug)]
pub struct Serializer<S> {
    out: Encoder<S>,
}

impl<S: Sink> Serializer<S> {
    /// A serializer writing with `out`.
    pub fn new(out: Encoder<S>) -> Serializer<S> {
        Serializer { out }
    }

    /// The encoder.
    pub fn into_inner(self) -> Encoder<S> {
        self.out
    }

    /// An atom named at compile time (a variant or field name).
    fn atom(&mut self, name: &str) -> Result<(), Error> {
        let atom = AtomName::new(name).map_err(|_| {
            Error::encode(format_args!(
                "the name `{name}` is too long for an atom (at most 255 characters)"
            ))
        })?;
        self.out.atom_name(atom);
        Ok(())
    }

    /// Where the next byte goes.
    fn position(&mut self) -> usize {
        self.out.sink().written().len()
    }

    /// Fills in the count of the `LIST_EXT` or `MAP_EXT` header at `header_at` (a tag and a
    /// big-endian `u32`), which was written with a placeholder.
    fn patch_count(&mut self, header_at: usize, count: usize) -> Result<(), Error> {
        let count = u32::try_from(count).map_err(|_| {
            Error::encode(format_args!(
                "{count} elements do not fit the external term format (at most 2^32 - 1)"
            ))
        })?;
        match self
            .out
            .sink()
            .written()
            .get_mut(header_at + 1..header_at + 5)
        {
            Some(at) => {
                at.copy_from_slice(&count.to_be_bytes());
                Ok(())
            }
            None => Err(Error::encode(
                "the sink does not return what was written (`Sink::written`), so a count \
                 cannot be filled in",
            )),
        }
    }
}

/// `serialize_*` methods for integer types that always fit in `i64`.
macro_rules! small_ints {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result<(), Error> {
            self.out.int(v.into());
            Ok(())
        }
    )*};
}

impl<'a, S: Sink> ser::Serializer for &'a mut Serializer<S> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = SeqWriter<'a, S>;
    type SerializeTuple = TupleWriter<'a, S>;
    type SerializeTupleStruct = TupleWriter<'a, S>;
    type SerializeTupleVariant = TupleWriter<'a, S>;
    type SerializeMap = MapWriter<'a, S>;
    type SerializeStruct = MapWriter<'a, S>;
    type SerializeStructVariant = MapWriter<'a, S>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        v.write(&mut self.out);
        Ok(())
    }

    small_ints!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32);
    small_ints!(serialize_u8: u8, serialize_u16: u16, serialize_u32: u32);

    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.out.int(v);
        Ok(())
    }

    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        v.write(&mut self.out);
        Ok(())
    }

    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.out.uint(v);
        Ok(())
    }

    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        v.write(&mut self.out);
        Ok(())
    }

    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.serialize_f64(v.into())
    }

    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        if !v.is_finite() {
            return Err(Error::encode(format_args!(
                "the float {v} has no Erlang equivalent (Erlang has no NaN or infinity)"
            )));
        }
        self.out.float(v);
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), Error> {
        let mut buf = [0; 4];
        self.out.binary(v.encode_utf8(&mut buf).as_bytes());
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.out.binary(v.as_bytes());
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        self.out.binary(v);
        Ok(())
    }

    fn serialize_none(self) -> Result<(), Error> {
        self.out.atom(&UNDEFINED);
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        self.out.tuple(0);
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.out.tuple(0);
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.atom(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.out.tuple(2);
        self.atom(variant)?;
        value.serialize(self)
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<SeqWriter<'a, S>, Error> {
        Ok(SeqWriter {
            ser: self,
            state: SeqState::Bytes(Vec::new()),
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<TupleWriter<'a, S>, Error> {
        self.out.tuple(len);
        Ok(TupleWriter {
            ser: self,
            left: len,
        })
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<TupleWriter<'a, S>, Error> {
        self.serialize_tuple(len)
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<TupleWriter<'a, S>, Error> {
        let arity = len
            .checked_add(1)
            .ok_or_else(|| Error::encode("a tuple variant with too many fields"))?;
        self.out.tuple(arity);
        self.atom(variant)?;
        Ok(TupleWriter {
            ser: self,
            left: len,
        })
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<MapWriter<'a, S>, Error> {
        Ok(MapWriter::start(self))
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<MapWriter<'a, S>, Error> {
        Ok(MapWriter::start(self))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<MapWriter<'a, S>, Error> {
        self.out.tuple(2);
        self.atom(variant)?;
        Ok(MapWriter::start(self))
    }

    fn is_human_readable(&self) -> bool {
        false
    }
}

/// Writes a sequence as a proper list (returned by the [`Serializer`]'s `serialize_seq`).
pub struct SeqWriter<'a, S> {
    ser: &'a mut Serializer<S>,
    state: SeqState,
}

enum SeqState {
    /// Every element so far is an integer 0–255: kept until the end, when they become a
    /// byte list (`STRING_EXT`) as in `term_to_binary/1`.
    Bytes(Vec<u8>),
    /// A `LIST_EXT` header at `header_at`, its count to be filled in; `len` elements follow.
    List { header_at: usize, len: usize },
}

impl<S: Sink> ser::SerializeSeq for SeqWriter<'_, S> {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if let SeqState::Bytes(bytes) = &mut self.state {
            if let Ok(b) = value.serialize(ByteProbe) {
                bytes.push(b);
                return Ok(());
            }
            // The first element that is not a byte: from here on, an ordinary list.
            let bytes = std::mem::take(bytes);
            let header_at = self.ser.position();
            self.ser.out.list(1);
            for &b in &bytes {
                self.ser.out.int(b.into());
            }
            self.state = SeqState::List {
                header_at,
                len: bytes.len(),
            };
        }
        value.serialize(&mut *self.ser)?;
        if let SeqState::List { len, .. } = &mut self.state {
            *len += 1;
        }
        Ok(())
    }

    fn end(self) -> Result<(), Error> {
        match self.state {
            // Also `[]` when empty, and a LIST_EXT past 65535 bytes.
            SeqState::Bytes(bytes) => self.ser.out.byte_list(&bytes),
            SeqState::List { header_at, len } => {
                self.ser.patch_count(header_at, len)?;
                self.ser.out.nil();
            }
        }
        Ok(())
    }
}

/// Writes a tuple, tuple struct or tuple variant (returned by the [`Serializer`]'s
/// `serialize_tuple*` methods). The arity is written first, so the `Serialize`
/// implementation must write as many elements as it announced; it is an error otherwise.
pub struct TupleWriter<'a, S> {
    ser: &'a mut Serializer<S>,
    left: usize,
}

impl<S: Sink> TupleWriter<'_, S> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.left = self.left.checked_sub(1).ok_or_else(|| {
            Error::encode("a Serialize implementation wrote more tuple elements than it announced")
        })?;
        value.serialize(&mut *self.ser)
    }

    fn finish(self) -> Result<(), Error> {
        match self.left {
            0 => Ok(()),
            n => Err(Error::encode(format_args!(
                "a Serialize implementation wrote {n} tuple elements fewer than it announced"
            ))),
        }
    }
}

/// serde's three tuple traits, all served by `TupleWriter` in the same way.
macro_rules! tuple_traits {
    ($($tr:ident::$method:ident),*) => {$(
        impl<S: Sink> ser::$tr for TupleWriter<'_, S> {
            type Ok = ();
            type Error = Error;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.element(value)
            }

            fn end(self) -> Result<(), Error> {
                self.finish()
            }
        }
    )*};
}

tuple_traits!(
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// Writes a map, struct or struct variant (returned by the [`Serializer`]'s `serialize_map`
/// and `serialize_struct*` methods). The number of pairs is filled in at the end, so it
/// need not be known in advance (skipped and flattened fields).
pub struct MapWriter<'a, S> {
    ser: &'a mut Serializer<S>,
    header_at: usize,
    pairs: usize,
    key_written: bool,
}

impl<'a, S: Sink> MapWriter<'a, S> {
    fn start(ser: &'a mut Serializer<S>) -> MapWriter<'a, S> {
        let header_at = ser.position();
        ser.out.map(0);
        MapWriter {
            ser,
            header_at,
            pairs: 0,
            key_written: false,
        }
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.ser.atom(key)?;
        value.serialize(&mut *self.ser)?;
        self.pairs += 1;
        Ok(())
    }

    fn finish(self) -> Result<(), Error> {
        if self.key_written {
            return Err(Error::encode("a map key without a value"));
        }
        self.ser.patch_count(self.header_at, self.pairs)
    }
}

impl<S: Sink> ser::SerializeMap for MapWriter<'_, S> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        if self.key_written {
            return Err(Error::encode("a map key without a value"));
        }
        key.serialize(&mut *self.ser)?;
        self.key_written = true;
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if !self.key_written {
            return Err(Error::encode("a map value without a key"));
        }
        value.serialize(&mut *self.ser)?;
        self.key_written = false;
        self.pairs += 1;
        Ok(())
    }

    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

/// serde's two struct traits, both served by `MapWriter` in the same way.
macro_rules! struct_traits {
    ($($tr:ident),*) => {$(
        impl<S: Sink> ser::$tr for MapWriter<'_, S> {
            type Ok = ();
            type Error = Error;

            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Error> {
                self.field(key, value)
            }

            fn end(self) -> Result<(), Error> {
                self.finish()
            }
        }
    )*};
}

struct_traits!(SerializeStruct, SerializeStructVariant);

/// Finds out whether a sequence element is an integer 0–255, which the [`Serializer`]
/// would write as `SMALL_INTEGER_EXT` and which therefore fits a byte list. Anything else
/// fails at its first call, before the value is looked at further.
struct ByteProbe;

#[derive(Debug)]
struct NotAByte;

impl fmt::Display for NotAByte {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not an integer 0-255")
    }
}

impl std::error::Error for NotAByte {}

impl ser::Error for NotAByte {
    fn custom<T: fmt::Display>(_msg: T) -> NotAByte {
        NotAByte
    }
}

macro_rules! probe_integers {
    ($($method:ident($t:ty)),*) => {$(
        fn $method(self, v: $t) -> Result<u8, NotAByte> {
            u8::try_from(v).map_err(|_| NotAByte)
        }
    )*};
}

macro_rules! probe_refuse {
    ($($method:ident($t:ty)),*) => {$(
        fn $method(self, _: $t) -> Result<u8, NotAByte> {
            Err(NotAByte)
        }
    )*};
}

impl ser::Serializer for ByteProbe {
    type Ok = u8;
    type Error = NotAByte;
    type SerializeSeq = ser::Impossible<u8, NotAByte>;
    type SerializeTuple = ser::Impossible<u8, NotAByte>;
    type SerializeTupleStruct = ser::Impossible<u8, NotAByte>;
    type SerializeTupleVariant = ser::Impossible<u8, NotAByte>;
    type SerializeMap = ser::Impossible<u8, NotAByte>;
    type SerializeStruct = ser::Impossible<u8, NotAByte>;
    type SerializeStructVariant = ser::Impossible<u8, NotAByte>;

    probe_integers!(
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128)
    );
    probe_refuse!(
        serialize_bool(bool),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str)
    );

    fn serialize_u8(self, v: u8) -> Result<u8, NotAByte> {
        Ok(v)
    }

    fn serialize_none(self) -> Result<u8, NotAByte> {
        Err(NotAByte)
    }

    // `Some(v)` and a newtype struct are written as `v`.
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<u8, NotAByte> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<u8, NotAByte> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<u8, NotAByte> {
        Err(NotAByte)
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
    ) -> Result<u8, NotAByte> {
        Err(NotAByte)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<u8, NotAByte> {
        Err(NotAByte)
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, NotAByte> {
        Err(NotAByte)
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, NotAByte> {
        Err(NotAByte)
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, NotAByte> {
        Err(NotAByte)
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, NotAByte> {
        Err(NotAByte)
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, NotAByte> {
        Err(NotAByte)
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, NotAByte> {
        Err(NotAByte)
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, NotAByte> {
        Err(NotAByte)
    }

    // Without formatting the value: it would be a binary anyway.
    fn collect_str<T: fmt::Display + ?Sized>(self, _value: &T) -> Result<u8, NotAByte> {
        Err(NotAByte)
    }

    // As the real serializer, since types choose their form by it.
    fn is_human_readable(&self) -> bool {
        false
    }
}

// ---- reading ----

/// A serde [`Deserializer`](de::Deserializer) that reads terms with a [`Decoder`],
/// borrowing strings and bytes from its input.
///
/// [`from_slice`] is the usual way in. Through this type, a term can be read from a
/// decoder positioned anywhere, with its nesting limit:
///
/// ```
/// use erldrv::term::{Decoder, serde::Deserializer};
/// use serde::Deserialize;
///
/// let bytes = erldrv::term::to_vec(&(1, "two"));
/// let mut de = Deserializer::new(Decoder::new(&bytes)?);
/// let (n, s) = <(u8, &str)>::deserialize(&mut de)?;
/// de.into_decoder().finish()?;
/// assert_eq!((n, s), (1, "two"));
/// # Ok::<(), erldrv::term::serde::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Deserializer<'de> {
    d: Decoder<'de>,
}

impl<'de> Deserializer<'de> {
    /// A deserializer reading from where `decoder` is.
    pub fn new(decoder: Decoder<'de>) -> Deserializer<'de> {
        Deserializer { d: decoder }
    }

    /// The decoder, after what was read.
    pub fn into_decoder(self) -> Decoder<'de> {
        self.d
    }

    /// Runs `f` one nesting level deeper (see [`Decoder::nested`]).
    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Deserializer<'de>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.d
            .nested(|d| {
                let mut de = Deserializer { d: *d };
                let r = f(&mut de);
                *d = de.d;
                r.map_err(Error::into_decode_error)
            })
            .map_err(Error::from)
    }

    /// `n` elements of a tuple or a list, as a sequence. The caller accounts for nesting.
    fn elements<V: Visitor<'de>>(
        &mut self,
        n: usize,
        of: Of,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let mut seq = Elements {
            de: self,
            left: n,
            read: 0,
            of,
        };
        let value = visitor.visit_seq(&mut seq)?;
        match seq.left {
            0 => Ok(value),
            _ => Err(too_long(of, seq.read, n)),
        }
    }

    /// A list (also from a byte list) as a sequence.
    fn list<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        match self.d.list()? {
            ListHead::Nil => bytes_as_seq(&[], Of::List, visitor),
            ListHead::Bytes(bytes) => bytes_as_seq(bytes, Of::List, visitor),
            ListHead::Cons(n) => {
                let value = self.nested(|de| de.elements(n, Of::List, visitor))?;
                self.d.proper_tail()?;
                Ok(value)
            }
        }
    }

    /// A map as a serde map.
    fn map<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        let n = self.d.map()?;
        self.nested(|de| {
            let mut map = Pairs {
                key_at: de.d,
                de,
                left: n,
                read: 0,
            };
            let value = visitor.visit_map(&mut map)?;
            match map.left {
                0 => Ok(value),
                _ => Err(expected(
                    format!("a map of {} pairs", map.read),
                    format!("a map of {n} pairs"),
                )),
            }
        })
    }

    /// The empty tuple `{}`.
    fn unit(&mut self) -> Result<(), Error> {
        const WHAT: &str = "{} (the empty tuple)";
        let save = self.d;
        match self.d.tuple() {
            Ok(0) => Ok(()),
            Ok(n) => Err(expected(WHAT, format!("a tuple of {n} elements"))),
            Err(_) => Err(save.wrong(WHAT).into()),
        }
    }
}

/// A string from an atom's name: borrowed unless it is Latin-1 beyond ASCII.
fn visit_atom<'de, V: Visitor<'de>>(atom: AtomName<'de>, visitor: V) -> Result<V::Value, Error> {
    match atom.as_str() {
        Some(s) => visitor.visit_borrowed_str(s),
        None => visitor.visit_string(atom.to_str().into_owned()),
    }
}

/// How an atom or a UTF-8 binary at `d` appears in a message, if it is one.
fn name_at(mut d: Decoder<'_>) -> Option<String> {
    match d.kind().ok()? {
        Kind::Atom => d.atom().ok().map(|a| a.to_string()),
        Kind::Binary => {
            let s = core::str::from_utf8(d.binary().ok()?).ok()?;
            Some(format!("<<{s:?}>>"))
        }
        _ => None,
    }
}

const ANY_UNSUPPORTED: &str =
    "pids, ports, references, funs and bitstrings have no serde equivalent";

impl<'de> de::Deserializer<'de> for &mut Deserializer<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.d.kind()? {
            Kind::Integer => match self.d.integer()? {
                Integer::Small(v) => match u64::try_from(v) {
                    Ok(u) => visitor.visit_u64(u),
                    Err(_) => visitor.visit_i64(v),
                },
                Integer::Big(b) => {
                    if let Some(u) = b.to_u128() {
                        match u64::try_from(u) {
                            Ok(u) => visitor.visit_u64(u),
                            Err(_) => visitor.visit_u128(u),
                        }
                    } else if let Some(i) = b.to_i128() {
                        visitor.visit_i128(i)
                    } else {
                        Err(DecodeError::out_of_range(b.describe(), "a 128-bit integer").into())
                    }
                }
            },
            Kind::Float => visitor.visit_f64(self.d.f64()?),
            Kind::Atom => {
                let atom = self.d.atom()?;
                if atom.is("true") {
                    visitor.visit_bool(true)
                } else if atom.is("false") {
                    visitor.visit_bool(false)
                } else if atom.is("undefined") {
                    visitor.visit_none()
                } else {
                    visit_atom(atom, visitor)
                }
            }
            Kind::Binary => {
                let bytes = self.d.binary()?;
                match core::str::from_utf8(bytes) {
                    Ok(s) => visitor.visit_borrowed_str(s),
                    Err(_) => visitor.visit_borrowed_bytes(bytes),
                }
            }
            Kind::Tuple => match self.d.tuple()? {
                0 => visitor.visit_unit(),
                n => self.nested(|de| de.elements(n, Of::Tuple, visitor)),
            },
            Kind::Nil | Kind::List => self.list(visitor),
            Kind::Map => self.map(visitor),
            k @ (Kind::BitBinary | Kind::Pid | Kind::Port | Kind::Reference | Kind::Fun) => {
                Err(DecodeError::new(ErrorKind::Custom(format!(
                    "cannot read {} with serde: {ANY_UNSUPPORTED}",
                    k.describe()
                )))
                .into())
            }
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_bool(self.d.decode()?)
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_i8(self.d.decode()?)
    }

    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_i16(self.d.decode()?)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_i32(self.d.decode()?)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_i64(self.d.decode()?)
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_i128(self.d.decode()?)
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_u8(self.d.decode()?)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_u16(self.d.decode()?)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_u32(self.d.decode()?)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_u64(self.d.decode()?)
    }

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_u128(self.d.decode()?)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_f32(self.d.decode()?)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_f64(self.d.decode()?)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.d.kind()? {
            Kind::Binary => {
                let s: &str = self.d.decode()?;
                let mut chars = s.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => visitor.visit_char(c),
                    _ => Err(expected(
                        "a binary of one character",
                        format!("a binary of {} characters", s.chars().count()),
                    )),
                }
            }
            Kind::Integer => visitor.visit_char(self.d.decode()?),
            k => Err(DecodeError::expected("a character (a binary or a code point)", k).into()),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.d.kind()? {
            Kind::Atom => visit_atom(self.d.atom()?, visitor),
            _ => visitor.visit_borrowed_str(self.d.decode()?),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.d.kind()? {
            Kind::Binary => visitor.visit_borrowed_bytes(self.d.binary()?),
            Kind::Nil | Kind::List => match self.d.list()? {
                ListHead::Nil => visitor.visit_borrowed_bytes(&[]),
                ListHead::Bytes(bytes) => visitor.visit_borrowed_bytes(bytes),
                ListHead::Cons(n) => {
                    let mut bytes = Vec::with_capacity(n);
                    for i in 0..n {
                        let b: u8 = self
                            .d
                            .decode()
                            .map_err(|e| e.context(element(Of::List, i)))?;
                        bytes.push(b);
                    }
                    self.d.proper_tail()?;
                    visitor.visit_byte_buf(bytes)
                }
            },
            k => Err(DecodeError::expected("a binary or a list of bytes", k).into()),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let mut probe = self.d;
        if probe.atom().is_ok_and(|a| a.is("undefined")) {
            self.d = probe;
            visitor.visit_none()
        } else {
            // Counted as a level: `Some` reads no bytes of its own, so a type made of options
            // inside options would otherwise recurse without end on any input.
            self.nested(|de| visitor.visit_some(de))
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.unit()?;
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.unit()?;
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        // Counted as a level, like `Some`: a newtype reads no bytes of its own.
        self.nested(|de| visitor.visit_newtype_struct(de))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.d.kind()? {
            Kind::Nil | Kind::List => self.list(visitor),
            Kind::Binary => bytes_as_seq(self.d.binary()?, Of::Binary, visitor),
            k => Err(DecodeError::expected("a list", k).into()),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        match self.d.kind()? {
            Kind::Tuple => {
                self.d.tuple_of(len)?;
                self.nested(|de| de.elements(len, Of::Tuple, visitor))
            }
            Kind::Nil | Kind::List => self.list(visitor),
            k => Err(DecodeError::expected(format!("a tuple of {len} elements"), k).into()),
        }
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_tuple(len, visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.map(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        const WHAT: &str = "an atom or a tuple {Variant, ...}";
        let name_at = self.d;
        match self.d.kind()? {
            Kind::Atom | Kind::Binary => visitor.visit_enum(Variant {
                de: self,
                rest: None,
                name_at,
            }),
            Kind::Tuple => match self.d.tuple()? {
                0 => Err(expected(WHAT, "the empty tuple")),
                n => self.nested(|de| {
                    let name_at = de.d;
                    visitor.visit_enum(Variant {
                        de,
                        rest: Some(n - 1),
                        name_at,
                    })
                }),
            },
            k => Err(DecodeError::expected(WHAT, k).into()),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.d.kind()? {
            Kind::Atom => visit_atom(self.d.atom()?, visitor),
            Kind::Binary => {
                let bytes = self.d.binary()?;
                match core::str::from_utf8(bytes) {
                    Ok(s) => visitor.visit_borrowed_str(s),
                    Err(_) => visitor.visit_borrowed_bytes(bytes),
                }
            }
            // Not integers: serde would take them as field or variant indexes.
            k => Err(DecodeError::expected("a name (an atom or a binary)", k).into()),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.d.skip()?;
        visitor.visit_unit()
    }

    fn is_human_readable(&self) -> bool {
        false
    }
}

/// The container whose elements are being read, for messages.
#[derive(Clone, Copy)]
enum Of {
    List,
    Tuple,
    Binary,
}

impl Of {
    fn name(self) -> &'static str {
        match self {
            Of::List => "a list",
            Of::Tuple => "a tuple",
            Of::Binary => "a binary",
        }
    }

    fn unit(self) -> &'static str {
        match self {
            Of::List | Of::Tuple => "elements",
            Of::Binary => "bytes",
        }
    }
}

#[cold]
fn element(of: Of, i: usize) -> String {
    match of {
        Of::Binary => format!("byte {} of a binary", i + 1),
        _ => format!("element {} of {}", i + 1, of.name()),
    }
}

/// The visitor stopped before the end of the container.
#[cold]
fn too_long(of: Of, read: usize, total: usize) -> Error {
    let (name, unit) = (of.name(), of.unit());
    expected(
        format!("{name} of {read} {unit}"),
        format!("{name} of {total} {unit}"),
    )
}

/// Elements of a tuple or list.
struct Elements<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    left: usize,
    read: usize,
    of: Of,
}

impl<'de> de::SeqAccess<'de> for Elements<'_, 'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if self.left == 0 {
            return Ok(None);
        }
        let (of, i) = (self.of, self.read);
        let value = seed
            .deserialize(&mut *self.de)
            .map_err(|e| e.context(element(of, i)))?;
        self.left -= 1;
        self.read += 1;
        Ok(Some(value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

/// Bytes (of a binary, or of a list sent compactly) as a sequence of integers.
fn bytes_as_seq<'de, V: Visitor<'de>>(
    bytes: &'de [u8],
    of: Of,
    visitor: V,
) -> Result<V::Value, Error> {
    let mut seq = Bytes { bytes, read: 0, of };
    let value = visitor.visit_seq(&mut seq)?;
    match seq.bytes.len() {
        0 => Ok(value),
        left => Err(too_long(of, seq.read, seq.read + left)),
    }
}

struct Bytes<'de> {
    bytes: &'de [u8],
    read: usize,
    of: Of,
}

impl<'de> de::SeqAccess<'de> for Bytes<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some((&b, rest)) = self.bytes.split_first() else {
            return Ok(None);
        };
        // Each byte is read as the encoded integer it stands for.
        let mut de = Deserializer::new(Decoder::without_version(&SMALL_INTS[usize::from(b)]));
        let value = seed
            .deserialize(&mut de)
            .map_err(|e| e.context(element(self.of, self.read)))?;
        self.bytes = rest;
        self.read += 1;
        Ok(Some(value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.bytes.len())
    }
}

/// Pairs of a map.
struct Pairs<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    left: usize,
    read: usize,
    /// Where the current key starts, to name it when its value is wrong.
    key_at: Decoder<'de>,
}

impl<'de> de::MapAccess<'de> for Pairs<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if self.left == 0 {
            return Ok(None);
        }
        self.key_at = self.de.d;
        let i = self.read;
        seed.deserialize(&mut *self.de)
            .map(Some)
            .map_err(|e| e.context(format!("key {} of a map", i + 1)))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        if self.left == 0 {
            return Err(Error(Repr::Decode(DecodeError::custom(
                "a map value was asked for after the last pair",
            ))));
        }
        let (key_at, i) = (self.key_at, self.read);
        let value = seed.deserialize(&mut *self.de).map_err(|e| {
            e.context(match name_at(key_at) {
                Some(key) => format!("the value of key {key}"),
                None => format!("value {} of a map", i + 1),
            })
        })?;
        self.left -= 1;
        self.read += 1;
        Ok(value)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

/// An enum variant: a bare name (atom or binary), or a tuple `{Name, ...}`.
struct Variant<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    /// How many elements follow the name in the tuple; `None` for a bare name.
    rest: Option<usize>,
    /// Where the name starts, to name the variant in messages.
    name_at: Decoder<'de>,
}

impl Variant<'_, '_> {
    /// The variant's data does not have the shape its kind needs.
    #[cold]
    fn shape(&self, what: impl Into<Cow<'static, str>>) -> Error {
        let found: Cow<'static, str> = match self.rest {
            Some(n) => format!("a tuple of {} elements", n + 1).into(),
            None => self.name_at.kind().map_or("a name", Kind::describe).into(),
        };
        expected(what, found).context(self.context())
    }

    #[cold]
    fn context(&self) -> String {
        match name_at(self.name_at) {
            Some(name) => format!("variant {name}"),
            None => "an enum variant".to_owned(),
        }
    }
}

impl<'de> de::EnumAccess<'de> for Variant<'_, 'de> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        let value = seed.deserialize(&mut *self.de)?;
        Ok((value, self))
    }
}

impl<'de> de::VariantAccess<'de> for Variant<'_, 'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.rest {
            None | Some(0) => Ok(()),
            Some(_) => Err(self.shape("an atom (a variant without data)")),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        match self.rest {
            Some(1) => seed
                .deserialize(&mut *self.de)
                .map_err(|e| e.context(self.context())),
            _ => Err(self.shape("a tuple {Variant, Value}")),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        match self.rest {
            Some(n) if n == len => self
                .de
                .elements(len, Of::Tuple, visitor)
                .map_err(|e| e.context(self.context())),
            _ => Err(self.shape(format!("a tuple of {} elements", len.saturating_add(1)))),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.rest {
            Some(1) => de::Deserializer::deserialize_struct(&mut *self.de, "", fields, visitor)
                .map_err(|e| e.context(self.context())),
            _ => Err(self.shape("a tuple {Variant, #{...}}")),
        }
    }
}
