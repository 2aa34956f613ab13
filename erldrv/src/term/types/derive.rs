//! Runtime support for `#[derive(TermType)]`: the generated code names the type's keys,
//! tags and fields, and builds its description with these. Reached through
//! `erldrv::__private::term`; not a public API.

use std::borrow::Cow;

use super::{Dir, MapField, RecordField, TypeDesc};

pub use super::inline_generic;

/// The key `key` of a struct written as a map; a field with `#[term(default)]` may be
/// missing when read.
#[inline]
pub fn type_map_field(key: &'static str, value: TypeDesc, default: bool, dir: Dir) -> MapField {
    MapField {
        key: Cow::Borrowed(key),
        value,
        required: !(default && dir == Dir::Input),
    }
}

/// The `__struct__` key of an Elixir struct, holding the module's atom `atom`: always
/// written, optional when read (a plain map reads too).
#[inline]
pub fn type_struct_key(atom: &'static str, dir: Dir) -> MapField {
    MapField {
        key: Cow::Borrowed("__struct__"),
        value: TypeDesc::Literal(Cow::Borrowed(atom)),
        required: dir == Dir::Output,
    }
}

/// An element of a record or tagged variant, named after its Rust field if it has one.
#[inline]
pub fn type_record_field(name: Option<&'static str>, value: TypeDesc) -> RecordField {
    RecordField {
        name: name.map(Cow::Borrowed),
        value,
    }
}

/// `{tag, F1, ...}`.
#[inline]
pub fn type_record(tag: &'static str, fields: Vec<RecordField>) -> TypeDesc {
    TypeDesc::Record {
        tag: Cow::Borrowed(tag),
        fields,
    }
}

/// The atom `name`.
#[inline]
pub fn type_literal(name: &'static str) -> TypeDesc {
    TypeDesc::Literal(Cow::Borrowed(name))
}
