//! Descriptions as terms ([`ToTerm`] for [`TypeDesc`] and [`Declaration`]), and their
//! fingerprint: FNV-1a over that encoding.

use std::hash::Hasher;

use super::render::{Conflict, Declaration, declarations};
use super::{Dir, Int, NoneAtom, TypeDesc};
use crate::term::{Atom, TermWriter, ToTerm};

/// The 64-bit FNV-1a hash: small, stable across builds, platforms and Rust versions (unlike
/// std's `DefaultHasher`), which is what an interface check compares. Not a defence
/// against anyone choosing collisions.
///
/// ```
/// use erldrv::term::Fnv1a;
/// use std::hash::Hasher;
///
/// let mut h = Fnv1a::new();
/// h.write(b"a");
/// assert_eq!(h.finish(), 0xaf63dc4c8601ec8c);
/// assert_eq!(Fnv1a::new().finish(), 0xcbf29ce484222325);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Fnv1a(u64);

impl Fnv1a {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    /// The hash of nothing yet.
    pub const fn new() -> Fnv1a {
        Fnv1a(Self::OFFSET)
    }
}

impl Default for Fnv1a {
    fn default() -> Fnv1a {
        Fnv1a::new()
    }
}

impl Hasher for Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(Self::PRIME);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The fingerprint of a set of descriptions (a driver's commands, say), with the
/// definitions of every named type they reach: the FNV-1a hash of their encoding as a term,
/// `{[Desc], [{Name, Definition}]}`. Doc comments and Rust names do not count; any change
/// to a shape does, including a renamed type.
///
/// # Errors
/// [`Conflict`] when two Rust types have one type name (see [`declarations`]).
///
/// ```
/// use erldrv::term::{TermType, fingerprint};
///
/// let a = fingerprint([&u8::input_type(), &String::output_type()])?;
/// let b = fingerprint([&u16::input_type(), &String::output_type()])?;
/// assert_ne!(a, b);
/// assert_eq!(a, fingerprint([&u8::input_type(), &String::output_type()])?);
/// # Ok::<(), erldrv::term::Conflict>(())
/// ```
pub fn fingerprint<'a>(descs: impl IntoIterator<Item = &'a TypeDesc>) -> Result<u64, Conflict> {
    let descs: Vec<&TypeDesc> = descs.into_iter().collect();
    let decls = declarations(descs.iter().copied())?;
    let defs: Vec<(&str, &TypeDesc)> = decls
        .iter()
        .map(|d| (d.name.as_ref(), &d.definition))
        .collect();
    let mut h = Fnv1a::new();
    h.write(&crate::term::to_vec(&(descs, Names(&defs))));
    Ok(h.finish())
}

impl TypeDesc {
    /// The fingerprint of this description alone: [`fingerprint`]`([self])`.
    ///
    /// # Errors
    /// [`Conflict`] when two Rust types have one type name.
    pub fn fingerprint(&self) -> Result<u64, Conflict> {
        fingerprint([self])
    }
}

/// `[{<<"name">>, Definition}]`: names as UTF-8 binaries.
struct Names<'a>(&'a [(&'a str, &'a TypeDesc)]);

impl ToTerm for Names<'_> {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.list(self.0.len());
        for (name, def) in self.0 {
            w.tuple(2);
            w.binary(name.as_bytes());
            def.write(w);
        }
        w.nil();
    }
}

macro_rules! atoms {
    ($($id:ident = $name:literal),* $(,)?) => {$(
        static $id: Atom = Atom::new($name);
    )*};
}
atoms!(
    ANY = "any",
    INTEGER = "integer",
    FLOAT = "float",
    BOOLEAN = "boolean",
    ATOM = "atom",
    LITERAL = "literal",
    BINARY = "binary",
    UTF8 = "utf8",
    LIST = "list",
    TUPLE = "tuple",
    MAP = "map",
    FIELDS = "fields",
    RECORD = "record",
    OPTION = "option",
    UNION = "union",
    PID = "pid",
    PORT = "port",
    REFERENCE = "reference",
    NAMED = "named",
    UNBOUNDED = "unbounded",
    REQUIRED = "required",
    OPTIONAL = "optional",
    UNDEFINED = "undefined",
    NIL = "nil",
    INPUT = "input",
    OUTPUT = "output",
    TYPE = "type",
);

fn bound<W: TermWriter + ?Sized>(b: Option<Int>, w: &mut W) {
    match b {
        None => w.atom(&UNBOUNDED),
        Some(b) => match b.to_i128().and_then(|v| i64::try_from(v).ok()) {
            Some(v) => w.int(v),
            None => w.big(b.negative, &b.magnitude.to_le_bytes()),
        },
    }
}

impl ToTerm for TypeDesc {
    /// The description as a term, for a generator written in Erlang. Names are UTF-8
    /// binaries, so that reading a description creates no atoms:
    ///
    /// | description | term |
    /// |-------------|------|
    /// | `Any`, `Float`, `Boolean`, `Atom`, `Binary`, `Utf8`, `Pid`, `Port`, `Reference` | `any`, `float`, `boolean`, `atom`, `binary`, `utf8`, `pid`, `port`, `reference` |
    /// | `Integer` | `{integer, Min, Max}`, a bound being an integer or `unbounded` |
    /// | `Literal` | `{literal, <<"ok">>}` |
    /// | `List`, `Tuple`, `Map` | `{list, T}`, `{tuple, [T]}`, `{map, K, V}` |
    /// | `Fields` | `{fields, [{<<"key">>, required \| optional, T}]}` |
    /// | `Record` | `{record, <<"tag">>, [{<<"name">> \| undefined, T}]}` |
    /// | `Option` | `{option, T, undefined \| nil}` |
    /// | `Union` | `{union, [T]}` |
    /// | `Named` | `{named, <<"point">>}` (its definition comes with [`Declaration`]) |
    ///
    /// ```
    /// use erldrv::term::{self, Atom, TermType};
    ///
    /// let bytes = term::to_vec(&<Option<u8>>::output_type());
    /// let expected = (Atom::new("option"), (Atom::new("integer"), 0, 255), Atom::new("undefined"));
    /// assert_eq!(bytes, term::to_vec(&expected));
    /// ```
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        match self {
            TypeDesc::Any => w.atom(&ANY),
            TypeDesc::Float => w.atom(&FLOAT),
            TypeDesc::Boolean => w.atom(&BOOLEAN),
            TypeDesc::Atom => w.atom(&ATOM),
            TypeDesc::Binary => w.atom(&BINARY),
            TypeDesc::Utf8 => w.atom(&UTF8),
            TypeDesc::Pid => w.atom(&PID),
            TypeDesc::Port => w.atom(&PORT),
            TypeDesc::Reference => w.atom(&REFERENCE),
            TypeDesc::Integer { min, max } => {
                w.tuple(3);
                w.atom(&INTEGER);
                bound(*min, w);
                bound(*max, w);
            }
            TypeDesc::Literal(name) => {
                w.tuple(2);
                w.atom(&LITERAL);
                w.binary(name.as_bytes());
            }
            TypeDesc::List(e) => {
                w.tuple(2);
                w.atom(&LIST);
                e.write(w);
            }
            TypeDesc::Tuple(elems) => {
                w.tuple(2);
                w.atom(&TUPLE);
                elems.write(w);
            }
            TypeDesc::Map(k, v) => {
                w.tuple(3);
                w.atom(&MAP);
                k.write(w);
                v.write(w);
            }
            TypeDesc::Fields(fields) => {
                w.tuple(2);
                w.atom(&FIELDS);
                w.list(fields.len());
                for f in fields {
                    w.tuple(3);
                    w.binary(f.key.as_bytes());
                    w.atom(if f.required { &REQUIRED } else { &OPTIONAL });
                    f.value.write(w);
                }
                w.nil();
            }
            TypeDesc::Record { tag, fields } => {
                w.tuple(3);
                w.atom(&RECORD);
                w.binary(tag.as_bytes());
                w.list(fields.len());
                for f in fields {
                    w.tuple(2);
                    match &f.name {
                        Some(n) => w.binary(n.as_bytes()),
                        None => w.atom(&UNDEFINED),
                    }
                    f.value.write(w);
                }
                w.nil();
            }
            TypeDesc::Optional(inner, none) => {
                w.tuple(3);
                w.atom(&OPTION);
                inner.write(w);
                w.atom(match none {
                    NoneAtom::Undefined => &UNDEFINED,
                    NoneAtom::Nil => &NIL,
                });
            }
            TypeDesc::Union(alts) => {
                w.tuple(2);
                w.atom(&UNION);
                alts.write(w);
            }
            TypeDesc::Named(n) => {
                w.tuple(2);
                w.atom(&NAMED);
                w.binary(n.name().as_bytes());
            }
        }
    }
}

impl ToTerm for Declaration {
    /// `{type, <<"point">>, <<"Point">>, <<"Doc.">>, input | output, Definition}`: the
    /// type's name, the Rust type's, the doc comment, the direction, the definition.
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.tuple(6);
        w.atom(&TYPE);
        w.binary(self.name.as_bytes());
        w.binary(self.rust.as_bytes());
        w.binary(self.doc.as_bytes());
        w.atom(match self.dir {
            Dir::Input => &INPUT,
            Dir::Output => &OUTPUT,
        });
        self.definition.write(w);
    }
}
