//! Runtime support for `#[derive(FromTerm)]`.
//!
//! The generated code keeps only what is particular to a type (its field names, their
//! order, its tags) and calls these functions for the rest: checking a term's shape,
//! building error messages, and choosing between an enum's variants. Everything here is
//! reached through `erldrv::__private::term` and is not a public API.

use std::borrow::Cow;

use super::decode::Result;
use super::error::{DecodeError, ErrorKind};
use super::{AtomName, Decoder, Kind};

/// Runs `f`, naming the type being read (`ty`) in the context of any error.
#[inline]
pub fn within<'a, T>(
    d: &mut Decoder<'a>,
    ty: &'static str,
    f: impl FnOnce(&mut Decoder<'a>) -> Result<T>,
) -> Result<T> {
    f(d).map_err(|e| e.context(ty))
}

/// Reads the header of a tuple of `arity` elements. On a mismatch, the decoder is left
/// where it was, and the error says that `expected` was expected.
#[inline]
pub fn tuple(d: &mut Decoder<'_>, arity: usize, expected: &'static str) -> Result<()> {
    let save = *d;
    if d.tuple().ok() == Some(arity) {
        return Ok(());
    }
    *d = save;
    Err(mismatch(save, expected, false))
}

/// Reads the header and the tag of a record-like tuple `{tag, ...}` of `arity` elements,
/// the tag included. On a mismatch, the decoder is left where it was.
#[inline]
pub fn record(
    d: &mut Decoder<'_>,
    arity: usize,
    tag: &'static str,
    expected: &'static str,
) -> Result<()> {
    let save = *d;
    if d.tuple().ok() == Some(arity) && d.atom().is_ok_and(|a| a.is(tag)) {
        return Ok(());
    }
    *d = save;
    Err(mismatch(save, expected, true))
}

/// Reads the atom `name`. On a mismatch, the decoder is left where it was.
#[inline]
pub fn atom(d: &mut Decoder<'_>, name: &'static str, expected: &'static str) -> Result<()> {
    let save = *d;
    if d.atom().is_ok_and(|a| a.is(name)) {
        return Ok(());
    }
    *d = save;
    Err(mismatch(save, expected, true))
}

/// Reads the key of a map that holds a struct: an atom.
#[inline]
pub fn key<'a>(d: &mut Decoder<'a>) -> Result<AtomName<'a>> {
    match d.kind()? {
        Kind::Atom => d.atom(),
        k => Err(DecodeError::expected("an atom as key", k)),
    }
}

/// Reads the value of an Elixir struct's `__struct__` key: the atom `atom`
/// (`'Elixir.MyApp.Point'`) and no other. The error names both modules.
#[inline]
pub fn struct_key(d: &mut Decoder<'_>, atom: &'static str, module: &'static str) -> Result<()> {
    let found = match d.kind()? {
        Kind::Atom => d.atom()?,
        k => {
            return Err(
                DecodeError::expected("a module's atom", k).context("value of key __struct__")
            );
        }
    };
    if found.is(atom) {
        return Ok(());
    }
    Err(wrong_struct(found, module))
}

#[cold]
fn wrong_struct(found: AtomName<'_>, module: &str) -> DecodeError {
    let text = found.to_str();
    let found = match text.strip_prefix("Elixir.") {
        Some(alias) => format!("%{alias}{{}}"),
        // Not an Elixir module: the atom as Erlang writes it.
        None => format!("__struct__ {found}"),
    };
    DecodeError::custom(format_args!(
        "expected a %{module}{{}} struct, found {found}"
    ))
}

/// A key that is not one of the struct's; `keys` says which ones are.
#[cold]
pub fn unknown_key(key: AtomName<'_>, keys: &'static str) -> DecodeError {
    DecodeError::custom(format_args!("unknown key {key}; {keys}"))
}

/// "expected `expected`, found" what `at` holds.
#[cold]
pub fn mismatch(at: Decoder<'_>, expected: &'static str, tags: bool) -> DecodeError {
    match describe(at, tags) {
        Ok(found) => DecodeError::new(ErrorKind::Expected {
            expected: Cow::Borrowed(expected),
            found,
        }),
        Err(e) => e,
    }
}

/// Tuples longer than this are not spelt out as `{tag, _, ...}` in messages.
const SPELT_OUT: usize = 8;

/// Describes the term at `at` for an error message: "the atom foo", "{foo, _, _}" (with
/// `tags`, for a tuple that starts with an atom), "a tuple of 3 elements", "a map". Fails
/// only if the input is malformed.
fn describe(mut at: Decoder<'_>, tags: bool) -> Result<Cow<'static, str>> {
    Ok(match at.kind()? {
        Kind::Atom => format!("the atom {}", at.atom()?).into(),
        Kind::Tuple => {
            let n = at.tuple()?;
            let tag = if tags && n > 0 && at.kind()? == Kind::Atom {
                Some(at.atom()?)
            } else {
                None
            };
            match tag {
                Some(tag) if n <= SPELT_OUT => format!("{{{tag}{}}}", ", _".repeat(n - 1)).into(),
                Some(tag) => format!("a tuple of {n} elements tagged {tag}").into(),
                None if n == 1 => "a tuple of 1 element".into(),
                None => format!("a tuple of {n} elements").into(),
            }
        }
        k => k.describe().into(),
    })
}

/// The start of a term, to choose an enum's variant by: an atom, a tuple whose first
/// element is an atom (the tag; the decoder is left after it), or anything else.
pub enum Head<'a> {
    /// An atom.
    Atom(AtomName<'a>),
    /// A tuple of `.1` elements (the tag included) whose first element is the atom `.0`.
    Tagged(AtomName<'a>, usize),
    /// Any other term.
    Other,
}

/// Reads the [`Head`] of a term. Fails only if the input is malformed; where the decoder is
/// left after [`Head::Other`] is unspecified.
#[inline]
pub fn head<'a>(d: &mut Decoder<'a>) -> Result<Head<'a>> {
    match d.kind()? {
        Kind::Atom => Ok(Head::Atom(d.atom()?)),
        Kind::Tuple => {
            let n = d.tuple()?;
            if n > 0 && d.kind()? == Kind::Atom {
                Ok(Head::Tagged(d.atom()?, n))
            } else {
                Ok(Head::Other)
            }
        }
        _ => Ok(Head::Other),
    }
}

/// The failures of an enum's variants while they are tried in turn, for an enum with
/// `transparent` variants (a variant that is just its inner value).
///
/// A failure is *specific* when the term had the variant's shape and something inside it was
/// wrong (a tagged variant whose tag and arity matched; an inner value whose reading got past
/// the first byte, or failed for another reason than the kind of term): the first one is
/// the error reported. Otherwise the error lists what each variant expects.
#[derive(Default)]
pub struct Failures {
    specific: Option<DecodeError>,
    /// What each transparent variant expected, in order.
    expected: Vec<Cow<'static, str>>,
}

impl Failures {
    /// No failures yet.
    #[inline]
    pub fn new() -> Failures {
        Failures::default()
    }

    /// A tagged variant whose tag and arity matched failed: `e` already says which.
    #[cold]
    pub fn tagged(&mut self, e: DecodeError) {
        self.specific.get_or_insert(e);
    }

    /// A transparent variant failed with `e`, having started at `before` and stopped at
    /// `after`.
    #[cold]
    pub fn inner(&mut self, e: DecodeError, before: &Decoder<'_>, after: &Decoder<'_>) {
        let moved = after.remaining().len() != before.remaining().len();
        match e.kind() {
            ErrorKind::Expected { expected, .. } if !moved => self.expected.push(expected.clone()),
            _ => {
                self.specific.get_or_insert(e);
            }
        }
    }

    /// The error once every variant failed on the term at `at`. `alternatives` lists the
    /// variants in order: the description of a tagged one (`not_found`, `{value, _}`), or
    /// `None` for a transparent one (whose expectation was recorded by [`inner`](Self::inner)).
    #[cold]
    pub fn finish(self, at: Decoder<'_>, alternatives: &[Option<&'static str>]) -> DecodeError {
        if let Some(e) = self.specific {
            return e;
        }
        let mut inner = self.expected.into_iter();
        let mut parts: Vec<Cow<'static, str>> = Vec::with_capacity(alternatives.len());
        for a in alternatives {
            let part = match a {
                Some(s) => Cow::Borrowed(*s),
                None => match inner.next() {
                    Some(e) => e,
                    None => continue,
                },
            };
            // Two transparent integers both expect "an integer": say it once.
            if !parts.contains(&part) {
                parts.push(part);
            }
        }
        let expected = match parts.as_slice() {
            [one] => one.clone(),
            _ => format!("one of {}", parts.join(", ")).into(),
        };
        match describe(at, true) {
            Ok(found) => DecodeError::new(ErrorKind::Expected { expected, found }),
            Err(e) => e,
        }
    }
}
