//! Reading: the [`Deserializer`] and the accessors of its sequences, maps and variants.

use std::borrow::Cow;

use ::serde::de::{self, DeserializeSeed, Visitor};

use super::error::{Error, expected};
use crate::term::atom::AtomName;
use crate::term::bigint::Integer;
use crate::term::convert::SMALL_INTS;
use crate::term::decode::{Decoder, Kind, ListHead};
use crate::term::error::{DecodeError, ErrorKind};

/// A serde [`Deserializer`](de::Deserializer) that reads terms with a [`Decoder`],
/// borrowing strings and bytes from its input.
///
/// [`from_slice`](super::from_slice) is the usual way in. Through this type, a term can be
/// read from a decoder positioned anywhere, with its nesting limit:
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
            return Err(Error::from(DecodeError::custom(
                "a map value was asked for after the last pair",
            )));
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
