//! `Term`: any term, as a tree that borrows its leaves from the input.

use super::bigint::BigInt;
use super::{AtomName, RawTerm};

/// Any Erlang term, read with [`Decoder::term`](super::Decoder::term) or built by hand.
///
/// Leaves borrow from the input (binaries, atoms, byte lists are not copied); tuples, lists
/// and maps own a vector of their elements. Pids, ports, references and funs stay in their
/// encoded form ([`RawTerm`]) and are written back unchanged.
///
/// Equality is structural over this representation: the same Erlang list sent as
/// [`Bytes`](Term::Bytes) and as [`List`](Term::List) compares unequal here, while Erlang
/// sees one term.
#[derive(Clone, Debug, PartialEq)]
pub enum Term<'a> {
    /// An integer that fits in `i64`.
    Int(i64),
    /// A larger integer.
    Big(BigInt<'a>),
    /// A float.
    Float(f64),
    /// An atom.
    Atom(AtomName<'a>),
    /// A binary.
    Binary(&'a [u8]),
    /// A bitstring: bytes, and the number of bits (1–7) used in the last byte.
    BitBinary(&'a [u8], u8),
    /// A tuple.
    Tuple(Vec<Term<'a>>),
    /// A proper list (empty for `[]`).
    List(Vec<Term<'a>>),
    /// A proper list of integers 0–255, as the VM sends it compactly (Erlang's strings).
    Bytes(&'a [u8]),
    /// An improper list: elements and the non-list tail.
    Improper(Vec<Term<'a>>, Box<Term<'a>>),
    /// A map, as key-value pairs.
    Map(Vec<(Term<'a>, Term<'a>)>),
    /// A pid.
    Pid(RawTerm<'a>),
    /// A port.
    Port(RawTerm<'a>),
    /// A reference.
    Ref(RawTerm<'a>),
    /// A fun.
    Fun(RawTerm<'a>),
}

impl<'a> Term<'a> {
    /// The atom's name, if this is an atom.
    pub fn as_atom(&self) -> Option<AtomName<'a>> {
        match self {
            Term::Atom(a) => Some(*a),
            _ => None,
        }
    }

    /// The integer, if this is one that fits `i64`.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Term::Int(v) => Some(*v),
            _ => None,
        }
    }

    /// The bytes, if this is a binary.
    pub fn as_binary(&self) -> Option<&'a [u8]> {
        match self {
            Term::Binary(b) => Some(b),
            _ => None,
        }
    }

    /// The elements, if this is a tuple.
    pub fn as_tuple(&self) -> Option<&[Term<'a>]> {
        match self {
            Term::Tuple(v) => Some(v),
            _ => None,
        }
    }
}
