//! Terms in Erlang's syntax, shortened, for `Debug` output: a developer reading a log wants
//! `{#Ref<nonode@nohost.1.2.3>, <<"abc">>}`, not a vector of bytes.

use core::fmt::{self, Write};

use super::Term;
use super::decode::Decoder;
use super::tag;

/// Binaries and byte lists show at most this many bytes, then `...`.
const MAX_BYTES: usize = 64;
/// Tuples, lists and maps show at most this many elements (pairs), then `...`.
const MAX_ELEMENTS: usize = 32;
/// Integers of more bytes than this show their size, not their digits.
const MAX_BIG_BYTES: usize = 64;

/// Writes `t` as Erlang would print it, with long binaries, lists, tuples and maps cut
/// short. Pids, ports and references show their node's name where Erlang prints a number.
pub(super) fn term(f: &mut fmt::Formatter<'_>, t: &Term<'_>) -> fmt::Result {
    match t {
        Term::Int(v) => write!(f, "{v}"),
        Term::Big(b) if b.magnitude().len() > MAX_BIG_BYTES => {
            let sign = if b.is_negative() { "negative " } else { "" };
            write!(f, "<{sign}integer of {} bits>", b.bits())
        }
        Term::Big(b) => write!(f, "{b}"),
        Term::Float(v) => write!(f, "{v:?}"),
        Term::Atom(a) => write!(f, "{a}"),
        Term::Binary(b) => binary(f, b, None),
        Term::BitBinary(b, bits) => binary(f, b, Some(*bits)),
        Term::Tuple(v) => {
            f.write_char('{')?;
            elements(f, v.iter(), v.len(), term)?;
            f.write_char('}')
        }
        Term::List(v) => {
            f.write_char('[')?;
            elements(f, v.iter(), v.len(), term)?;
            f.write_char(']')
        }
        Term::Bytes(b) => byte_list(f, b),
        Term::Improper(v, tail) => {
            f.write_char('[')?;
            elements(f, v.iter(), v.len(), term)?;
            f.write_str(" | ")?;
            term(f, tail)?;
            f.write_char(']')
        }
        Term::Map(pairs) => {
            f.write_str("#{")?;
            elements(f, pairs.iter(), pairs.len(), |f, (k, v)| {
                term(f, k)?;
                f.write_str(" => ")?;
                term(f, v)
            })?;
            f.write_char('}')
        }
        Term::Pid(r) | Term::Port(r) | Term::Ref(r) | Term::Fun(r) => opaque(f, r.as_bytes()),
    }
}

/// The first elements of a container, comma-separated, then `...` if some are left out.
fn elements<T>(
    f: &mut fmt::Formatter<'_>,
    items: impl Iterator<Item = T>,
    len: usize,
    mut show: impl FnMut(&mut fmt::Formatter<'_>, T) -> fmt::Result,
) -> fmt::Result {
    for (i, item) in items.take(MAX_ELEMENTS).enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        show(f, item)?;
    }
    if len > MAX_ELEMENTS {
        f.write_str(", ...")?;
    }
    Ok(())
}

/// Whether bytes read well as text between quotes.
fn printable(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|&b| (0x20..0x7F).contains(&b) || matches!(b, b'\n' | b'\t' | b'\r'))
}

fn quoted(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in text.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

/// `<<"text">>`, `<<"tëxt"/utf8>>` or `<<1,2,3>>`; a bitstring ends with `Value:Bits`.
fn binary(f: &mut fmt::Formatter<'_>, bytes: &[u8], bits: Option<u8>) -> fmt::Result {
    // The whole bytes of a bitstring: all but the last.
    let (whole, last) = match bits {
        Some(bits) if bits < 8 => match bytes.split_last() {
            Some((&last, whole)) => (whole, Some((last >> (8 - bits), bits))),
            None => (bytes, None),
        },
        _ => (bytes, None),
    };
    let cut = whole.len() > MAX_BYTES;
    let shown = &whole[..whole.len().min(MAX_BYTES)];
    f.write_str("<<")?;
    let text = core::str::from_utf8(shown).ok().filter(|s| {
        !s.is_empty()
            && s.chars()
                .all(|c| !c.is_control() || matches!(c, '\n' | '\t' | '\r'))
    });
    // (A UTF-8 binary cut in the middle of a character shows as numbers.)
    match text {
        Some(s) if last.is_none() => {
            quoted(f, s)?;
            if !s.is_ascii() {
                f.write_str("/utf8")?;
            }
            if cut {
                f.write_str("...")?;
            }
        }
        _ => {
            for (i, b) in shown.iter().enumerate() {
                if i > 0 {
                    f.write_char(',')?;
                }
                write!(f, "{b}")?;
            }
            if cut {
                f.write_str(",...")?;
            }
            if let Some((value, bits)) = last {
                if !shown.is_empty() {
                    f.write_char(',')?;
                }
                write!(f, "{value}:{bits}")?;
            }
        }
    }
    f.write_str(">>")
}

/// `"text"` or `[1,2,3]`.
fn byte_list(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    let shown = &bytes[..bytes.len().min(MAX_BYTES)];
    let cut = bytes.len() > MAX_BYTES;
    if printable(shown) {
        // ASCII: `printable` allows nothing else.
        quoted(f, core::str::from_utf8(shown).unwrap_or_default())?;
        if cut {
            f.write_str("...")?;
        }
        return Ok(());
    }
    f.write_char('[')?;
    for (i, b) in shown.iter().enumerate() {
        if i > 0 {
            f.write_char(',')?;
        }
        write!(f, "{b}")?;
    }
    if cut {
        f.write_str(",...")?;
    }
    f.write_char(']')
}

/// A pid, port, reference or fun, from its encoding (tag included): `#Pid<node.Id.Serial>`,
/// `#Port<node.Id>`, `#Ref<node.W3.W2.W1>` (most significant word first, as Erlang prints
/// it), `fun m:f/1`, `#Fun<module.Index>`. Anything unexpected shows as `#Term<..>`.
fn opaque(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    match shown_opaque(bytes) {
        Some(s) => f.write_str(&s),
        None => f.write_str("#Term<..>"),
    }
}

/// Reads big-endian numbers from the fields after the node atom.
struct Fields<'a>(&'a [u8]);

impl Fields<'_> {
    fn take(&mut self, n: usize) -> Option<u64> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head.iter().fold(0, |v, &b| (v << 8) | u64::from(b)))
    }
}

fn shown_opaque(bytes: &[u8]) -> Option<String> {
    let (&t, rest) = bytes.split_first()?;
    // Layouts after the tag: see the external term format's documentation.
    let (len, rest) = match t {
        tag::NEW_REFERENCE | tag::NEWER_REFERENCE => {
            let mut n = Fields(rest);
            (n.take(2)? as usize, n.0)
        }
        _ => (0, rest),
    };
    if matches!(t, tag::EXPORT) {
        let mut d = Decoder::without_version(rest);
        let (m, fun) = (d.atom().ok()?, d.atom().ok()?);
        let arity = d.i64().ok()?;
        return Some(format!("fun {m}:{fun}/{arity}"));
    }
    if t == tag::NEW_FUN {
        // Size (4), arity (1), uniq (16), index (4), free variables (4), then the module.
        let mut n = Fields(rest.get(4 + 1 + 16..)?);
        let index = n.take(4)?;
        n.take(4)?;
        let module = Decoder::without_version(n.0).atom().ok()?;
        return Some(format!("#Fun<{module}.{index}>"));
    }
    let mut d = Decoder::without_version(rest);
    let node = d.atom().ok()?;
    let mut n = Fields(d.remaining());
    Some(match t {
        tag::PID | tag::NEW_PID => format!("#Pid<{node}.{}.{}>", n.take(4)?, n.take(4)?),
        tag::PORT | tag::NEW_PORT => format!("#Port<{node}.{}>", n.take(4)?),
        tag::V4_PORT => format!("#Port<{node}.{}>", n.take(8)?),
        tag::REFERENCE => format!("#Ref<{node}.{}>", n.take(4)?),
        tag::NEW_REFERENCE | tag::NEWER_REFERENCE => {
            n.take(if t == tag::NEW_REFERENCE { 1 } else { 4 })?;
            let words = (0..len).map(|_| n.take(4)).collect::<Option<Vec<_>>>()?;
            let mut s = format!("#Ref<{node}");
            for w in words.iter().rev() {
                // Writing to a String cannot fail.
                let _ = write!(s, ".{w}");
            }
            s.push('>');
            s
        }
        _ => return None,
    })
}
