//! `ToTerm` and `FromTerm`, and their implementations for std types.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hash};
use std::rc::Rc;
use std::sync::Arc;

use super::bigint::{BigInt, Integer};
use super::decode::{ListHead, Result};
use super::error::{DecodeError, ErrorKind};
use super::{Atom, AtomName, Decoder, Kind, RawTerm, Term, TermWriter};
use crate::binary::Binary;
use crate::error::CallError;
use crate::ids::{Pid, PortId};

/// A Rust value that can be written as an Erlang term: as a `port_call` reply, into bytes
/// ([`to_vec`](super::to_vec)), or as a message ([`Port::output_term`](crate::Port::output_term)).
///
/// Implemented for the std types (see the [module documentation](super) for the mapping)
/// and with `#[derive(ToTerm)]`.
pub trait ToTerm {
    /// Writes `self` as one term.
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W);

    /// Writes a slice of `Self` (a list; `[u8]` overrides it to write a binary).
    #[doc(hidden)]
    fn write_slice<W: TermWriter + ?Sized>(items: &[Self], w: &mut W)
    where
        Self: Sized,
    {
        w.list(items.len());
        for i in items {
            i.write(w);
        }
        w.nil();
    }

    /// Whether this is `()` (so that `Ok(())` is written as `ok`).
    #[doc(hidden)]
    fn is_unit(&self) -> bool {
        false
    }
}

/// A Rust value that can be read from an Erlang term, possibly borrowing from the input
/// (`'a`).
///
/// Implemented for the std types (see the [module documentation](super) for the mapping)
/// and with `#[derive(FromTerm)]`. Errors say what was expected and where.
pub trait FromTerm<'a>: Sized {
    /// Reads one term.
    fn decode(d: &mut Decoder<'a>) -> Result<Self>;

    /// Reads a `Vec<Self>` (from a list; `u8` overrides it to read a binary too).
    #[doc(hidden)]
    fn decode_vec(d: &mut Decoder<'a>) -> Result<Vec<Self>> {
        decode_list(d, Vec::new(), |v, x| v.push(x))
    }

    /// `Some(())` for `()` (so that `ok` reads as `Ok(())`).
    #[doc(hidden)]
    fn unit() -> Option<Self> {
        None
    }

    /// Reads the rest of the input, which the VM made (the arguments of `port_call`): it is
    /// one well-formed term. Checks that nothing is left over; [`RawTerm`] takes the bytes
    /// without walking them again.
    #[doc(hidden)]
    #[inline]
    fn decode_from_vm(d: &mut Decoder<'a>) -> Result<Self> {
        let v = Self::decode(d)?;
        d.finish()?;
        Ok(v)
    }
}

/// Reads a proper list into `acc`.
fn decode_list<'a, T: FromTerm<'a>, A>(
    d: &mut Decoder<'a>,
    mut acc: A,
    mut add: impl FnMut(&mut A, T),
) -> Result<A> {
    match d.list()? {
        ListHead::Nil => Ok(acc),
        ListHead::Bytes(bytes) => {
            for (i, &b) in bytes.iter().enumerate() {
                let mut one = Decoder::without_version(&SMALL_INTS[usize::from(b)]);
                let x = T::decode(&mut one).map_err(|e| e.context(element_of_list(i)))?;
                add(&mut acc, x);
            }
            Ok(acc)
        }
        ListHead::Cons(n) => {
            d.nested(|d| {
                for i in 0..n {
                    let x = T::decode(d).map_err(|e| e.context(element_of_list(i)))?;
                    add(&mut acc, x);
                }
                d.proper_tail()
            })?;
            Ok(acc)
        }
    }
}

#[cold]
fn element_of_list(i: usize) -> String {
    format!("element {} of a list", i + 1)
}

#[cold]
fn element_of_tuple(i: usize) -> String {
    format!("element {} of a tuple", i + 1)
}

/// The encodings of the integers 0–255, for reading elements of a compact byte list.
pub(super) static SMALL_INTS: [[u8; 2]; 256] = {
    let mut a = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        a[i] = [super::tag::SMALL_INTEGER, i as u8];
        i += 1;
    }
    a
};

// ---- references and smart pointers ----

impl<T: ToTerm + ?Sized> ToTerm for &T {
    #[inline]
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        (**self).write(w)
    }
    fn is_unit(&self) -> bool {
        (**self).is_unit()
    }
}

impl<T: ToTerm + ?Sized> ToTerm for &mut T {
    #[inline]
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        (**self).write(w)
    }
    fn is_unit(&self) -> bool {
        (**self).is_unit()
    }
}

macro_rules! smart_pointer {
    ($($p:ident),*) => {$(
        impl<T: ToTerm + ?Sized> ToTerm for $p<T> {
            #[inline]
            fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
                (**self).write(w)
            }
            fn is_unit(&self) -> bool {
                (**self).is_unit()
            }
        }
        impl<'a, T: FromTerm<'a>> FromTerm<'a> for $p<T> {
            #[inline]
            fn decode(d: &mut Decoder<'a>) -> Result<Self> {
                d.nested(|d| T::decode(d)).map($p::new)
            }
            // `Ok(Box::new(()))` is written `ok`, so `ok` reads back as it.
            fn unit() -> Option<Self> {
                T::unit().map($p::new)
            }
        }
    )*};
}
smart_pointer!(Box, Rc, Arc);

impl<T: ToTerm + ToOwned + ?Sized> ToTerm for Cow<'_, T> {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        (**self).write(w)
    }
}

// ---- integers ----

macro_rules! signed {
    ($($t:ty),*) => {$(
        impl ToTerm for $t {
            #[inline]
            fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
                w.int(*self as i64)
            }
        }
        impl<'a> FromTerm<'a> for $t {
            #[inline]
            fn decode(d: &mut Decoder<'a>) -> Result<Self> {
                let v = d.i64().map_err(|e| retarget(e, stringify!($t)))?;
                <$t>::try_from(v).map_err(|_| DecodeError::out_of_range(v, stringify!($t)))
            }
        }
    )*};
}
signed!(i8, i16, i32, i64, isize);

macro_rules! unsigned {
    ($($t:ty),*) => {$(
        impl ToTerm for $t {
            #[inline]
            fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
                w.uint(*self as u64)
            }
        }
        impl<'a> FromTerm<'a> for $t {
            #[inline]
            fn decode(d: &mut Decoder<'a>) -> Result<Self> {
                match d.integer().map_err(|e| retarget(e, stringify!($t)))? {
                    Integer::Small(v) => <$t>::try_from(v)
                        .map_err(|_| DecodeError::out_of_range(v, stringify!($t))),
                    Integer::Big(b) => b
                        .to_u128()
                        .and_then(|v| <$t>::try_from(v).ok())
                        .ok_or_else(|| DecodeError::out_of_range(b.describe(), stringify!($t))),
                }
            }
        }
    )*};
}
unsigned!(u16, u32, u64, usize);

/// An out-of-range `i64` read becomes out of range for the target type.
fn retarget(e: DecodeError, target: &'static str) -> DecodeError {
    match e.kind() {
        ErrorKind::OutOfRange { value, .. } => DecodeError::out_of_range(value, target),
        _ => e,
    }
}

impl ToTerm for u8 {
    #[inline]
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.int(i64::from(*self))
    }
    /// A `[u8]` is written as a binary.
    #[inline]
    fn write_slice<W: TermWriter + ?Sized>(items: &[u8], w: &mut W) {
        w.binary(items)
    }
}

impl<'a> FromTerm<'a> for u8 {
    #[inline]
    fn decode(d: &mut Decoder<'a>) -> Result<Self> {
        let v = d.i64().map_err(|e| retarget(e, "u8"))?;
        u8::try_from(v).map_err(|_| DecodeError::out_of_range(v, "u8"))
    }
    /// A `Vec<u8>` reads a binary, or a list of bytes.
    fn decode_vec(d: &mut Decoder<'a>) -> Result<Vec<u8>> {
        match d.kind()? {
            Kind::Binary => d.binary().map(<[u8]>::to_vec),
            Kind::Nil | Kind::List => match d.list()? {
                ListHead::Bytes(b) => Ok(b.to_vec()),
                ListHead::Nil => Ok(Vec::new()),
                ListHead::Cons(n) => {
                    let mut v = Vec::with_capacity(n);
                    for i in 0..n {
                        v.push(u8::decode(d).map_err(|e| e.context(element_of_list(i)))?);
                    }
                    d.proper_tail()?;
                    Ok(v)
                }
            },
            k => Err(DecodeError::expected("a binary or a list of bytes", k)),
        }
    }
}

impl ToTerm for i128 {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        match i64::try_from(*self) {
            Ok(v) => w.int(v),
            Err(_) => w.big(*self < 0, &self.unsigned_abs().to_le_bytes()),
        }
    }
}

impl ToTerm for u128 {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        match i64::try_from(*self) {
            Ok(v) => w.int(v),
            Err(_) => w.big(false, &self.to_le_bytes()),
        }
    }
}

impl<'a> FromTerm<'a> for i128 {
    fn decode(d: &mut Decoder<'a>) -> Result<Self> {
        match d.integer()? {
            Integer::Small(v) => Ok(v.into()),
            Integer::Big(b) => b
                .to_i128()
                .ok_or_else(|| DecodeError::out_of_range(b.describe(), "i128")),
        }
    }
}

impl<'a> FromTerm<'a> for u128 {
    fn decode(d: &mut Decoder<'a>) -> Result<Self> {
        match d.integer()? {
            Integer::Small(v) => {
                u128::try_from(v).map_err(|_| DecodeError::out_of_range(v, "u128"))
            }
            Integer::Big(b) => b
                .to_u128()
                .ok_or_else(|| DecodeError::out_of_range(b.describe(), "u128")),
        }
    }
}

impl ToTerm for BigInt<'_> {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.big(self.is_negative(), self.magnitude())
    }
}

impl<'a> FromTerm<'a> for Integer<'a> {
    fn decode(d: &mut Decoder<'a>) -> Result<Self> {
        d.integer()
    }
}

impl ToTerm for Integer<'_> {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        match self {
            Integer::Small(v) => w.int(*v),
            Integer::Big(b) => b.write(w),
        }
    }
}

// ---- floats, bool, char ----

impl ToTerm for f64 {
    #[inline]
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.float(*self)
    }
}

impl<'a> FromTerm<'a> for f64 {
    #[inline]
    fn decode(d: &mut Decoder<'a>) -> Result<Self> {
        d.f64()
    }
}

impl ToTerm for f32 {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.float(f64::from(*self))
    }
}

impl<'a> FromTerm<'a> for f32 {
    fn decode(d: &mut Decoder<'a>) -> Result<Self> {
        let v = d.f64()?;
        let f = v as f32;
        if f.is_finite() {
            Ok(f)
        } else {
            Err(DecodeError::custom(format_args!(
                "float {v} is out of range for f32"
            )))
        }
    }
}

static TRUE: Atom = Atom::new("true");
static FALSE: Atom = Atom::new("false");
static OK: Atom = Atom::new("ok");
static ERROR: Atom = Atom::new("error");
static UNDEFINED: Atom = Atom::new("undefined");

impl ToTerm for bool {
    #[inline]
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.atom(if *self { &TRUE } else { &FALSE })
    }
}

impl<'a> FromTerm<'a> for bool {
    fn decode(d: &mut Decoder<'a>) -> Result<Self> {
        let save = *d;
        match d.atom() {
            Ok(a) if a.is("true") => Ok(true),
            Ok(a) if a.is("false") => Ok(false),
            Ok(a) => Err(DecodeError::new(ErrorKind::Expected {
                expected: "true or false".into(),
                found: format!("the atom {a}").into(),
            })),
            Err(_) => Err(save.wrong("true or false")),
        }
    }
}

impl ToTerm for char {
    /// A character is its code point, as in Erlang (`$a` is 97).
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.int(i64::from(u32::from(*self)))
    }
}

impl<'a> FromTerm<'a> for char {
    fn decode(d: &mut Decoder<'a>) -> Result<Self> {
        let v = d.i64().map_err(|e| retarget(e, "char"))?;
        u32::try_from(v)
            .ok()
            .and_then(char::from_u32)
            .ok_or_else(|| DecodeError::out_of_range(v, "char"))
    }
}

// ---- strings and bytes ----

impl ToTerm for str {
    /// A string is written as a UTF-8 binary.
    #[inline]
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.binary(self.as_bytes())
    }
}

impl ToTerm for String {
    #[inline]
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.binary(self.as_bytes())
    }
}

impl<'a> FromTerm<'a> for &'a str {
    #[inline]
    fn decode(d: &mut Decoder<'a>) -> Result<Self> {
        let b = d.binary().map_err(utf8_expected)?;
        core::str::from_utf8(b).map_err(|_| {
            DecodeError::new(ErrorKind::Expected {
                expected: "a UTF-8 binary".into(),
                found: "a binary that is not UTF-8".into(),
            })
        })
    }
}

fn utf8_expected(e: DecodeError) -> DecodeError {
    match e.kind() {
        ErrorKind::Expected { found, .. } => DecodeError::new(ErrorKind::Expected {
            expected: "a UTF-8 binary".into(),
            found: found.clone(),
        }),
        _ => e,
    }
}

impl<'a> FromTerm<'a> for String {
    fn decode(d: &mut Decoder<'a>) -> Result<Self> {
        <&str>::decode(d).map(str::to_owned)
    }
}

impl<'a> FromTerm<'a> for Cow<'a, str> {
    fn decode(d: &mut Decoder<'a>) -> Result<Self> {
        <&str>::decode(d).map(Cow::Borrowed)
    }
}

impl<'a> FromTerm<'a> for &'a [u8] {
    /// A binary, without copying.
    #[inline]
    fn decode(d: &mut Decoder<'a>) -> Result<Self> {
        d.binary()
    }
}

impl<T: ToTerm> ToTerm for [T] {
    #[inline]
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        T::write_slice(self, w)
    }
}

impl<T: ToTerm, const N: usize> ToTerm for [T; N] {
    #[inline]
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        T::write_slice(self, w)
    }
}

impl<T: ToTerm> ToTerm for Vec<T> {
    #[inline]
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        T::write_slice(self, w)
    }
}

impl<'a, T: FromTerm<'a>> FromTerm<'a> for Vec<T> {
    #[inline]
    fn decode(d: &mut Decoder<'a>) -> Result<Self> {
        T::decode_vec(d)
    }
}

impl ToTerm for Binary {
    /// A refc binary: sent without copying by the term builder.
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.shared_binary(self, 0, self.len())
    }
}

// ---- unit, Option, Result ----

impl ToTerm for () {
    /// `()` is the empty tuple `{}`; but `Ok(())` is the atom `ok`.
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.tuple(0)
    }
    fn is_unit(&self) -> bool {
        true
    }
}

impl<'a> FromTerm<'a> for () {
    fn decode(d: &mut Decoder<'a>) -> Result<Self> {
        d.tuple_of(0)
    }
    fn unit() -> Option<Self> {
        Some(())
    }
}

impl<T: ToTerm> ToTerm for Option<T> {
    /// `None` is the atom `undefined`; `Some(v)` is `v`.
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        match self {
            Some(v) => v.write(w),
            None => w.atom(&UNDEFINED),
        }
    }
}

impl<'a, T: FromTerm<'a>> FromTerm<'a> for Option<T> {
    fn decode(d: &mut Decoder<'a>) -> Result<Self> {
        let mut probe = *d;
        if let Ok(a) = probe.atom()
            && a.is("undefined")
        {
            *d = probe;
            return Ok(None);
        }
        T::decode(d).map(Some)
    }
}

impl<T: ToTerm, E: ToTerm> ToTerm for core::result::Result<T, E> {
    /// `{ok, V}` or `{error, E}`; `Ok(())` is `ok`.
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        match self {
            Ok(v) if v.is_unit() => w.atom(&OK),
            Ok(v) => {
                w.tuple(2);
                w.atom(&OK);
                v.write(w);
            }
            Err(e) => {
                w.tuple(2);
                w.atom(&ERROR);
                e.write(w);
            }
        }
    }
}

impl<'a, T: FromTerm<'a>, E: FromTerm<'a>> FromTerm<'a> for core::result::Result<T, E> {
    fn decode(d: &mut Decoder<'a>) -> Result<Self> {
        const WHAT: &str = "{ok, Value} or {error, Reason}";
        if let Some(unit) = T::unit() {
            let mut probe = *d;
            if probe.atom().is_ok_and(|a| a.is("ok")) {
                *d = probe;
                return Ok(Ok(unit));
            }
        }
        let save = *d;
        if d.tuple().ok() != Some(2) {
            *d = save;
            return Err(save.wrong(WHAT));
        }
        let tag = d
            .atom()
            .map_err(|e| e.context("element 1 of {ok, _} | {error, _}"))?;
        if tag.is("ok") {
            T::decode(d)
                .map(Ok)
                .map_err(|e| e.context("the value in {ok, Value}"))
        } else if tag.is("error") {
            E::decode(d)
                .map(Err)
                .map_err(|e| e.context("the reason in {error, Reason}"))
        } else {
            Err(DecodeError::new(ErrorKind::Expected {
                expected: WHAT.into(),
                found: format!("a tuple tagged {tag}").into(),
            }))
        }
    }
}

// ---- tuples ----

macro_rules! tuple {
    ($n:literal: $($t:ident $i:tt),+) => {
        impl<$($t: ToTerm),+> ToTerm for ($($t,)+) {
            #[inline]
            fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
                w.tuple($n);
                $(self.$i.write(w);)+
            }
        }
        impl<'a, $($t: FromTerm<'a>),+> FromTerm<'a> for ($($t,)+) {
            #[inline]
            fn decode(d: &mut Decoder<'a>) -> Result<Self> {
                d.tuple_of($n)?;
                Ok(($(
                    $t::decode(d).map_err(|e| e.context(element_of_tuple($i)))?,
                )+))
            }
        }
    };
}
tuple!(1: A 0);
tuple!(2: A 0, B 1);
tuple!(3: A 0, B 1, C 2);
tuple!(4: A 0, B 1, C 2, D 3);
tuple!(5: A 0, B 1, C 2, D 3, E 4);
tuple!(6: A 0, B 1, C 2, D 3, E 4, F 5);
tuple!(7: A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple!(8: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
tuple!(9: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
tuple!(10: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
tuple!(11: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
tuple!(12: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);

// ---- maps ----

fn write_map<'m, K: ToTerm + 'm, V: ToTerm + 'm, W: TermWriter + ?Sized>(
    len: usize,
    pairs: impl Iterator<Item = (&'m K, &'m V)>,
    w: &mut W,
) {
    w.map(len);
    for (k, v) in pairs {
        k.write(w);
        v.write(w);
    }
}

fn decode_map<'a, K: FromTerm<'a>, V: FromTerm<'a>>(
    d: &mut Decoder<'a>,
    mut insert: impl FnMut(K, V),
) -> Result<()> {
    let n = d.map()?;
    d.nested(|d| {
        for i in 0..n {
            let k = K::decode(d).map_err(|e| e.context(format!("key {} of a map", i + 1)))?;
            let v = V::decode(d).map_err(|e| e.context(format!("value {} of a map", i + 1)))?;
            insert(k, v);
        }
        Ok(())
    })
}

impl<K: ToTerm, V: ToTerm, S> ToTerm for HashMap<K, V, S> {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        write_map(self.len(), self.iter(), w)
    }
}

impl<'a, K: FromTerm<'a> + Eq + Hash, V: FromTerm<'a>, S: BuildHasher + Default> FromTerm<'a>
    for HashMap<K, V, S>
{
    fn decode(d: &mut Decoder<'a>) -> Result<Self> {
        let mut m = HashMap::default();
        decode_map(d, |k, v| {
            m.insert(k, v);
        })?;
        Ok(m)
    }
}

impl<K: ToTerm, V: ToTerm> ToTerm for BTreeMap<K, V> {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        write_map(self.len(), self.iter(), w)
    }
}

impl<'a, K: FromTerm<'a> + Ord, V: FromTerm<'a>> FromTerm<'a> for BTreeMap<K, V> {
    fn decode(d: &mut Decoder<'a>) -> Result<Self> {
        let mut m = BTreeMap::new();
        decode_map(d, |k, v| {
            m.insert(k, v);
        })?;
        Ok(m)
    }
}

// ---- atoms and terms ----

impl ToTerm for Atom {
    #[inline]
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.atom(self)
    }
}

impl ToTerm for AtomName<'_> {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.atom_name(*self)
    }
}

impl<'a> FromTerm<'a> for AtomName<'a> {
    #[inline]
    fn decode(d: &mut Decoder<'a>) -> Result<Self> {
        d.atom()
    }
}

impl ToTerm for RawTerm<'_> {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.raw(*self)
    }
}

impl<'a> FromTerm<'a> for RawTerm<'a> {
    #[inline]
    fn decode(d: &mut Decoder<'a>) -> Result<Self> {
        d.raw()
    }

    /// The VM's encoding of one term, as it is. (Were the bytes not a well-formed term,
    /// that would still be safe: writing them back fails in the VM's own decoder, and
    /// reading them with [`RawTerm::decoder`] gives errors.)
    #[inline]
    fn decode_from_vm(d: &mut Decoder<'a>) -> Result<Self> {
        d.rest_as_raw()
    }
}

impl<'a> FromTerm<'a> for Term<'a> {
    fn decode(d: &mut Decoder<'a>) -> Result<Self> {
        d.term()
    }
}

impl ToTerm for Term<'_> {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        match self {
            Term::Int(v) => w.int(*v),
            Term::Big(b) => b.write(w),
            Term::Float(f) => w.float(*f),
            Term::Atom(a) => w.atom_name(*a),
            Term::Binary(b) => w.binary(b),
            Term::BitBinary(b, bits) => w.bitstring(b, *bits),
            Term::Tuple(v) => {
                w.tuple(v.len());
                v.iter().for_each(|t| t.write(w));
            }
            Term::List(v) => {
                w.list(v.len());
                v.iter().for_each(|t| t.write(w));
                w.nil();
            }
            Term::Bytes(b) => w.byte_list(b),
            Term::Improper(v, tail) => {
                w.list(v.len());
                v.iter().for_each(|t| t.write(w));
                tail.write(w);
            }
            Term::Map(pairs) => {
                w.map(pairs.len());
                for (k, v) in pairs {
                    k.write(w);
                    v.write(w);
                }
            }
            Term::Pid(r) | Term::Port(r) | Term::Ref(r) | Term::Fun(r) => w.raw(*r),
        }
    }
}

// ---- the VM's identifiers ----
//
// `Pid` and `PortId` are the runtime's (ids.rs); how they write as terms is the term
// module's. Nothing reads them: a pid or port in input is not a VM handle but external-format
// bytes (`Term::Pid`, `RawTerm`, `OwnedTerm`), and the driver API cannot make a handle of it.

impl ToTerm for Pid {
    /// The pid itself, in a message (`ERL_DRV_PID`). Only term messages can hold one: see
    /// [`TermWriter::pid`] for the panic elsewhere.
    #[inline]
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.pid(*self)
    }
}

impl ToTerm for PortId {
    /// The port itself, in a message (`ERL_DRV_PORT`). Only term messages can hold one: see
    /// [`TermWriter::port`] for the panic elsewhere.
    #[inline]
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.port(*self)
    }
}

// `CallError` is the runtime's; how it reads and writes as a term is the term module's.
impl From<DecodeError> for CallError {
    fn from(e: DecodeError) -> CallError {
        CallError::badarg(e.to_string())
    }
}

static ERLDRV_BADARG: Atom = Atom::new("erldrv_badarg");

impl ToTerm for CallError {
    /// `{erldrv_badarg, Message}`.
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.tuple(2);
        w.atom(&ERLDRV_BADARG);
        w.binary(self.message().as_bytes());
    }
}
