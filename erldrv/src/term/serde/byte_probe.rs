//! Whether a sequence element is a byte, found out without writing it: what lets the
//! [`Serializer`](super::Serializer) write a list of small integers as a byte list.

use std::fmt;

use ::serde::{Serialize, ser};

/// Finds out whether a sequence element is an integer 0–255, which the
/// [`Serializer`](super::Serializer) would write as `SMALL_INTEGER_EXT` and which therefore
/// fits a byte list. Anything else fails at its first call, before the value is looked at
/// further.
pub(super) struct ByteProbe;

#[derive(Debug)]
pub(super) struct NotAByte;

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
