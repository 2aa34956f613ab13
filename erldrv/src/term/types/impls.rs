//! [`TermType`] for the types the codec converts, each saying what `convert.rs` (and the
//! other `ToTerm`/`FromTerm` impls) really do; and [`OrNil`], `Option` with Elixir's `nil`.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::Arc;

use super::{Dir, NoneAtom, TermType, TypeDesc};
use crate::binary::Binary;
use crate::error::CallError;
use crate::ids::{Pid, PortId};
use crate::term::decode::Result;
use crate::term::{
    Atom, AtomName, BigInt, Decoder, FromTerm, Integer, OwnedTerm, RawTerm, Term, TermWriter,
    ToTerm,
};

macro_rules! fixed_int {
    ($($t:ty),*) => {$(
        impl TermType for $t {
            fn output_type() -> TypeDesc {
                TypeDesc::int(<$t>::MIN as i128, <$t>::MAX as u128)
            }
        }
    )*};
}
fixed_int!(i8, i16, i32, i64, isize, i128, u16, u32, u64, usize, u128);

impl TermType for u8 {
    fn output_type() -> TypeDesc {
        TypeDesc::int(0, u8::MAX)
    }
    /// `[u8]` and `Vec<u8>` are written as a binary; a `Vec<u8>` also reads a list of
    /// bytes.
    fn list_type(dir: Dir) -> TypeDesc {
        match dir {
            Dir::Output => TypeDesc::Binary,
            Dir::Input => TypeDesc::Union(vec![
                TypeDesc::Binary,
                TypeDesc::List(Box::new(u8::output_type())),
            ]),
        }
    }
}

fn any_integer() -> TypeDesc {
    TypeDesc::Integer {
        min: None,
        max: None,
    }
}

impl TermType for Integer<'_> {
    fn output_type() -> TypeDesc {
        any_integer()
    }
}

impl TermType for BigInt<'_> {
    fn output_type() -> TypeDesc {
        any_integer()
    }
}

impl TermType for char {
    /// A code point (reading also refuses the surrogates, which a range cannot say).
    fn output_type() -> TypeDesc {
        TypeDesc::int(0, u32::from(char::MAX))
    }
}

impl TermType for f64 {
    fn output_type() -> TypeDesc {
        TypeDesc::Float
    }
}

impl TermType for f32 {
    fn output_type() -> TypeDesc {
        TypeDesc::Float
    }
}

impl TermType for bool {
    fn output_type() -> TypeDesc {
        TypeDesc::Boolean
    }
}

impl TermType for str {
    fn output_type() -> TypeDesc {
        TypeDesc::Utf8
    }
}

impl TermType for String {
    fn output_type() -> TypeDesc {
        TypeDesc::Utf8
    }
}

/// A slice is written as a list (`[u8]` as a binary). The input side only matters for
/// `&[u8]`, which reads a binary alone (it borrows the bytes): the same as the output.
impl<T: TermType> TermType for [T] {
    fn output_type() -> TypeDesc {
        T::list_type(Dir::Output)
    }
}

/// As a slice; arrays are not read.
impl<T: TermType, const N: usize> TermType for [T; N] {
    fn output_type() -> TypeDesc {
        T::list_type(Dir::Output)
    }
}

impl<T: TermType> TermType for Vec<T> {
    fn output_type() -> TypeDesc {
        T::list_type(Dir::Output)
    }
    fn input_type() -> TypeDesc {
        T::list_type(Dir::Input)
    }
}

impl<T: TermType + ?Sized> TermType for &T {
    fn output_type() -> TypeDesc {
        T::output_type()
    }
    fn input_type() -> TypeDesc {
        T::input_type()
    }
}

impl<T: TermType + ?Sized> TermType for &mut T {
    fn output_type() -> TypeDesc {
        T::output_type()
    }
    fn input_type() -> TypeDesc {
        T::input_type()
    }
}

macro_rules! pointer {
    ($($p:ident),*) => {$(
        impl<T: TermType + ?Sized> TermType for $p<T> {
            fn output_type() -> TypeDesc {
                T::output_type()
            }
            fn input_type() -> TypeDesc {
                T::input_type()
            }
        }
    )*};
}
pointer!(Box, Rc, Arc);

impl<T: TermType + ToOwned + ?Sized> TermType for Cow<'_, T> {
    fn output_type() -> TypeDesc {
        T::output_type()
    }
    fn input_type() -> TypeDesc {
        T::input_type()
    }
}

impl TermType for () {
    fn output_type() -> TypeDesc {
        TypeDesc::Tuple(Vec::new())
    }
}

impl<T: TermType> TermType for Option<T> {
    fn output_type() -> TypeDesc {
        TypeDesc::Optional(Box::new(T::output_type()), NoneAtom::Undefined)
    }
    fn input_type() -> TypeDesc {
        TypeDesc::Optional(Box::new(T::input_type()), NoneAtom::Undefined)
    }
}

impl<T: TermType> TermType for OrNil<T> {
    fn output_type() -> TypeDesc {
        TypeDesc::Optional(Box::new(T::output_type()), NoneAtom::Nil)
    }
    fn input_type() -> TypeDesc {
        TypeDesc::Optional(Box::new(T::input_type()), NoneAtom::Nil)
    }
}

/// Whether `T` is `()`, the type whose `Ok` is the plain atom `ok`.
fn is_unit(t: &TypeDesc) -> bool {
    matches!(t, TypeDesc::Tuple(v) if v.is_empty())
}

impl<T: TermType, E: TermType> TermType for core::result::Result<T, E> {
    /// `Ok(())` is written `ok`.
    fn output_type() -> TypeDesc {
        let ok = T::output_type();
        let ok = (!is_unit(&ok)).then_some(ok);
        TypeDesc::result(ok, E::output_type())
    }
    /// `ok` reads as `Ok(())`, and so does `{ok, {}}`.
    fn input_type() -> TypeDesc {
        let ok = T::input_type();
        if is_unit(&ok) {
            TypeDesc::Union(vec![
                TypeDesc::literal("ok"),
                TypeDesc::Tuple(vec![TypeDesc::literal("ok"), ok]),
                TypeDesc::Tuple(vec![TypeDesc::literal("error"), E::input_type()]),
            ])
        } else {
            TypeDesc::result(Some(ok), E::input_type())
        }
    }
}

macro_rules! tuple {
    ($($t:ident),+) => {
        impl<$($t: TermType),+> TermType for ($($t,)+) {
            fn output_type() -> TypeDesc {
                TypeDesc::Tuple(vec![$($t::output_type()),+])
            }
            fn input_type() -> TypeDesc {
                TypeDesc::Tuple(vec![$($t::input_type()),+])
            }
        }
    };
}
tuple!(A);
tuple!(A, B);
tuple!(A, B, C);
tuple!(A, B, C, D);
tuple!(A, B, C, D, E);
tuple!(A, B, C, D, E, F);
tuple!(A, B, C, D, E, F, G);
tuple!(A, B, C, D, E, F, G, H);
tuple!(A, B, C, D, E, F, G, H, I);
tuple!(A, B, C, D, E, F, G, H, I, J);
tuple!(A, B, C, D, E, F, G, H, I, J, K);
tuple!(A, B, C, D, E, F, G, H, I, J, K, L);

fn map_type<K: TermType, V: TermType>(dir: Dir) -> TypeDesc {
    TypeDesc::Map(Box::new(K::term_type(dir)), Box::new(V::term_type(dir)))
}

impl<K: TermType, V: TermType, S> TermType for HashMap<K, V, S> {
    fn output_type() -> TypeDesc {
        map_type::<K, V>(Dir::Output)
    }
    fn input_type() -> TypeDesc {
        map_type::<K, V>(Dir::Input)
    }
}

impl<K: TermType, V: TermType> TermType for BTreeMap<K, V> {
    fn output_type() -> TypeDesc {
        map_type::<K, V>(Dir::Output)
    }
    fn input_type() -> TypeDesc {
        map_type::<K, V>(Dir::Input)
    }
}

impl TermType for Atom {
    fn output_type() -> TypeDesc {
        TypeDesc::Atom
    }
}

impl TermType for AtomName<'_> {
    fn output_type() -> TypeDesc {
        TypeDesc::Atom
    }
}

impl TermType for Binary {
    fn output_type() -> TypeDesc {
        TypeDesc::Binary
    }
}

impl TermType for Term<'_> {
    fn output_type() -> TypeDesc {
        TypeDesc::Any
    }
}

impl TermType for RawTerm<'_> {
    fn output_type() -> TypeDesc {
        TypeDesc::Any
    }
}

impl TermType for OwnedTerm {
    fn output_type() -> TypeDesc {
        TypeDesc::Any
    }
}

#[cfg(feature = "serde")]
impl<T> TermType for crate::term::serde::Serde<T> {
    /// Any term: the shape is serde's data model of `T`, which Rust types do not carry.
    fn output_type() -> TypeDesc {
        TypeDesc::Any
    }
}

impl TermType for Pid {
    fn output_type() -> TypeDesc {
        TypeDesc::Pid
    }
}

impl TermType for PortId {
    fn output_type() -> TypeDesc {
        TypeDesc::Port
    }
}

impl TermType for CallError {
    /// `{erldrv_badarg, Message}`.
    fn output_type() -> TypeDesc {
        TypeDesc::Tuple(vec![TypeDesc::literal("erldrv_badarg"), TypeDesc::Utf8])
    }
}

static NIL: Atom = Atom::new("nil");

/// An `Option` written and read with Elixir's `nil` for `None`, where `Option<T>` uses
/// Erlang's `undefined`.
///
/// Use it for the fields and arguments of types meant for Elixir callers: `OrNil<String>`
/// is `nil | String.t()` in Elixir, `nil | binary()` in Erlang. It reads
/// only `nil` as `None` (and `undefined` as a `T`, if `T` reads that atom). It converts
/// from and to `Option<T>` and dereferences to it.
///
/// ```
/// use erldrv::term::{self, Atom, OrNil, TermType};
///
/// let none: OrNil<u8> = None.into();
/// assert_eq!(term::to_vec(&none), term::to_vec(&Atom::new("nil")));
/// assert_eq!(term::from_slice::<OrNil<u8>>(&term::to_vec(&7u8))?, OrNil(Some(7)));
/// assert_eq!(<OrNil<u8>>::output_type().to_elixir(), "nil | 0..255");
/// # Ok::<(), term::DecodeError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrNil<T>(pub Option<T>);

impl<T> From<Option<T>> for OrNil<T> {
    fn from(v: Option<T>) -> OrNil<T> {
        OrNil(v)
    }
}

impl<T> From<OrNil<T>> for Option<T> {
    fn from(v: OrNil<T>) -> Option<T> {
        v.0
    }
}

impl<T> core::ops::Deref for OrNil<T> {
    type Target = Option<T>;
    fn deref(&self) -> &Option<T> {
        &self.0
    }
}

impl<T> core::ops::DerefMut for OrNil<T> {
    fn deref_mut(&mut self) -> &mut Option<T> {
        &mut self.0
    }
}

impl<T: ToTerm> ToTerm for OrNil<T> {
    /// `None` is the atom `nil`; `Some(v)` is `v`.
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        match &self.0 {
            Some(v) => v.write(w),
            None => w.atom(&NIL),
        }
    }
}

impl<'a, T: FromTerm<'a>> FromTerm<'a> for OrNil<T> {
    fn decode(d: &mut Decoder<'a>) -> Result<Self> {
        let mut probe = *d;
        if probe.atom().is_ok_and(|a| a.is("nil")) {
            *d = probe;
            return Ok(OrNil(None));
        }
        T::decode(d).map(|v| OrNil(Some(v)))
    }
}
