//! Writing: the [`Serializer`] and the writers of its sequences, tuples and maps.

use ::serde::{Serialize, ser};

use super::byte_probe::ByteProbe;
use super::error::Error;
use crate::term::atom::{Atom, AtomName};
use crate::term::convert::ToTerm;
use crate::term::encode::{Encoder, Sink, TermWriter};

static UNDEFINED: Atom = Atom::new("undefined");

/// A serde [`Serializer`](ser::Serializer) that writes terms with an [`Encoder`].
///
/// [`to_vec`](super::to_vec) and [`to_writer`](super::to_writer) are the usual way in; this
/// type is for code that needs a serializer value.
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
