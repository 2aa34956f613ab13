//! [`TypeDesc::matches`]: whether a term has the shape a description says.

use super::{Int, TypeDesc};
use crate::term::Term;

impl TypeDesc {
    /// Whether `term` has this shape: the check a test uses to catch a description that
    /// lies about its codec (encode values, decode the bytes as a [`Term`], match).
    ///
    /// Named types are checked against their definitions. `Utf8` checks that the bytes are
    /// UTF-8; an integer is checked against its bounds, bignums included.
    ///
    /// ```
    /// use erldrv::term::{self, TermType, Term};
    ///
    /// let bytes = term::to_vec(&Ok::<_, String>(vec![1u16, 2]));
    /// let t: Term = term::from_slice(&bytes)?;
    /// assert!(<Result<Vec<u16>, String>>::output_type().matches(&t));
    /// assert!(!<Result<Vec<u8>, String>>::output_type().matches(&t)); // [1, 2] is not a binary
    /// # Ok::<(), term::DecodeError>(())
    /// ```
    pub fn matches(&self, term: &Term<'_>) -> bool {
        match self {
            TypeDesc::Any => true,
            TypeDesc::Integer { min, max } => match int_of(term) {
                Some(v) => min.is_none_or(|m| v.at_least(m)) && max.is_none_or(|m| v.at_most(m)),
                None => false,
            },
            TypeDesc::Float => matches!(term, Term::Float(_)),
            TypeDesc::Boolean => {
                matches!(term, Term::Atom(a) if a.is("true") || a.is("false"))
            }
            TypeDesc::Atom => matches!(term, Term::Atom(_)),
            TypeDesc::Literal(name) => matches!(term, Term::Atom(a) if a.is(name)),
            TypeDesc::Binary => matches!(term, Term::Binary(_)),
            TypeDesc::Utf8 => matches!(term, Term::Binary(b) if core::str::from_utf8(b).is_ok()),
            TypeDesc::List(elem) => match term {
                Term::List(v) => v.iter().all(|t| elem.matches(t)),
                Term::Bytes(b) => b.iter().all(|&x| elem.matches(&Term::Int(x.into()))),
                _ => false,
            },
            TypeDesc::Tuple(elems) => match term {
                Term::Tuple(v) => {
                    v.len() == elems.len() && v.iter().zip(elems).all(|(t, e)| e.matches(t))
                }
                _ => false,
            },
            TypeDesc::Map(k, v) => match term {
                Term::Map(pairs) => pairs.iter().all(|(tk, tv)| k.matches(tk) && v.matches(tv)),
                _ => false,
            },
            TypeDesc::Fields(fields) => {
                let Term::Map(pairs) = term else {
                    return false;
                };
                let mut seen = vec![false; fields.len()];
                for (k, v) in pairs {
                    let Term::Atom(k) = k else {
                        return false;
                    };
                    let Some(i) = fields.iter().position(|f| k.is(&f.key)) else {
                        return false;
                    };
                    if seen[i] || !fields[i].value.matches(v) {
                        return false;
                    }
                    seen[i] = true;
                }
                fields.iter().zip(seen).all(|(f, s)| s || !f.required)
            }
            TypeDesc::Record { tag, fields } => match term {
                Term::Tuple(v) => match v.split_first() {
                    Some((Term::Atom(a), rest)) => {
                        a.is(tag)
                            && rest.len() == fields.len()
                            && rest.iter().zip(fields).all(|(t, f)| f.value.matches(t))
                    }
                    _ => false,
                },
                _ => false,
            },
            TypeDesc::Optional(inner, none) => {
                matches!(term, Term::Atom(a) if a.is(none.name())) || inner.matches(term)
            }
            TypeDesc::Union(alts) => alts.iter().any(|a| a.matches(term)),
            TypeDesc::Pid => matches!(term, Term::Pid(_)),
            TypeDesc::Port => matches!(term, Term::Port(_)),
            TypeDesc::Reference => matches!(term, Term::Ref(_)),
            TypeDesc::Named(n) => n.definition().matches(term),
        }
    }
}

/// An integer term's value, where a bound can be compared with it.
enum Value {
    Fits(Int),
    /// Beyond 128 bits, below zero or above it.
    Huge {
        negative: bool,
    },
}

impl Value {
    fn at_least(&self, bound: Int) -> bool {
        match self {
            Value::Fits(v) => *v >= bound,
            Value::Huge { negative } => !negative,
        }
    }

    fn at_most(&self, bound: Int) -> bool {
        match self {
            Value::Fits(v) => *v <= bound,
            Value::Huge { negative } => *negative,
        }
    }
}

fn int_of(term: &Term<'_>) -> Option<Value> {
    match term {
        Term::Int(v) => Some(Value::Fits(Int::from(*v))),
        Term::Big(b) => Some(match (b.to_i128(), b.to_u128()) {
            (Some(v), _) => Value::Fits(Int::signed(v)),
            (None, Some(v)) => Value::Fits(Int::unsigned(v)),
            (None, None) if b.is_negative() && b.trimmed().len() <= 16 => {
                // Between -(2^128 - 1) and -2^127 - 1: beyond i128, within a bound.
                let mut m = [0u8; 16];
                m[..b.trimmed().len()].copy_from_slice(b.trimmed());
                Value::Fits(Int {
                    negative: true,
                    magnitude: u128::from_le_bytes(m),
                })
            }
            (None, None) => Value::Huge {
                negative: b.is_negative(),
            },
        }),
        _ => None,
    }
}
