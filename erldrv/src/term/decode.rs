//! Reading the external term format, borrowing from the input.

use super::bigint::{BigInt, Integer};
use super::error::{DecodeError, ErrorKind};
use super::tag;
use super::{AtomName, FromTerm, Term};

/// What kind of term comes next (see [`Decoder::kind`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An integer of any size.
    Integer,
    /// A float.
    Float,
    /// An atom.
    Atom,
    /// A tuple.
    Tuple,
    /// The empty list.
    Nil,
    /// A non-empty list (proper or not), including a list of bytes sent compactly.
    List,
    /// A binary (a whole number of bytes).
    Binary,
    /// A bitstring whose length is not a whole number of bytes.
    BitBinary,
    /// A map.
    Map,
    /// A process identifier.
    Pid,
    /// A port identifier.
    Port,
    /// A reference.
    Reference,
    /// A fun (local or `fun M:F/A`).
    Fun,
}

impl Kind {
    /// The kind with its article, as error messages use it: "an integer".
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Integer => "an integer",
            Kind::Float => "a float",
            Kind::Atom => "an atom",
            Kind::Tuple => "a tuple",
            Kind::Nil => "the empty list",
            Kind::List => "a list",
            Kind::Binary => "a binary",
            Kind::BitBinary => "a bitstring",
            Kind::Map => "a map",
            Kind::Pid => "a pid",
            Kind::Port => "a port",
            Kind::Reference => "a reference",
            Kind::Fun => "a fun",
        }
    }
}

/// The head of a list (see [`Decoder::list`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListHead<'a> {
    /// `[]`.
    Nil,
    /// A non-empty proper list of bytes, sent compactly (`STRING_EXT`); nothing follows.
    Bytes(&'a [u8]),
    /// `len` elements follow (`len` ≥ 1), then the tail (`[]` for a proper list).
    Cons(usize),
}

/// The default limit on nesting (tuples, lists and maps inside each other, counted by
/// [`Decoder::nested`]): deep enough for real data, shallow enough for the smallest stacks
/// the VM gives a thread that runs driver code (128 KiB for the async pool, the default of
/// `+a`; schedulers have 1 MiB), even in a debug build.
pub const DEFAULT_MAX_DEPTH: u32 = 64;

/// At most this many elements are reserved ahead for a container: a header's count is only
/// bounded by the input's length, and each element of a [`Term`] takes 32 bytes or more.
const PREALLOCATE: usize = 1024;

/// A cursor over one or more terms in the external format.
///
/// Reading never allocates except for the element vectors of a [`Term`], never panics and
/// never reads outside the input, whatever the bytes: malformed input is an error.
#[derive(Clone, Copy, Debug)]
pub struct Decoder<'a> {
    buf: &'a [u8],
    pos: usize,
    depth: u32,
    max_depth: u32,
    /// Bytes read by attempts that were abandoned (see [`Decoder::abandon`]).
    spent: usize,
}

/// `Result` with a [`DecodeError`].
pub type Result<T, E = DecodeError> = core::result::Result<T, E>;

impl<'a> Decoder<'a> {
    /// A decoder for `bytes`, which start with the version byte 131 (as from
    /// `term_to_binary/1`, or the arguments of `port_call/3`).
    ///
    /// The decoder borrows from `bytes`, so it does not inflate: a compressed term
    /// (`term_to_binary(T, [compressed])`) is [`ErrorKind::Compressed`]. Pass bytes that
    /// may be compressed through [`decompress`](super::decompress) first.
    #[inline]
    pub fn new(bytes: &'a [u8]) -> Result<Decoder<'a>> {
        match bytes.first() {
            Some(&tag::VERSION) => {}
            Some(&v) => return Err(DecodeError::new(ErrorKind::BadVersion(v))),
            None => return Err(DecodeError::new(ErrorKind::Truncated)),
        }
        if bytes.get(1) == Some(&tag::COMPRESSED) {
            return Err(DecodeError::new(ErrorKind::Compressed));
        }
        Ok(Decoder {
            buf: bytes,
            pos: 1,
            depth: 0,
            max_depth: DEFAULT_MAX_DEPTH,
            spent: 0,
        })
    }

    /// A decoder for terms without the version byte.
    pub fn without_version(bytes: &'a [u8]) -> Decoder<'a> {
        Decoder {
            buf: bytes,
            pos: 0,
            depth: 0,
            max_depth: DEFAULT_MAX_DEPTH,
            spent: 0,
        }
    }

    /// Sets the nesting limit (default [`DEFAULT_MAX_DEPTH`]).
    pub fn set_max_depth(&mut self, max: u32) {
        self.max_depth = max;
    }

    /// Reads one `T`.
    #[inline]
    pub fn decode<T: FromTerm<'a>>(&mut self) -> Result<T> {
        T::decode(self)
    }

    /// Checks that all input was read.
    #[inline]
    pub fn finish(&self) -> Result<()> {
        match self.buf.len() - self.pos {
            0 => Ok(()),
            n => Err(DecodeError::new(ErrorKind::TrailingBytes(n))),
        }
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    // ---- raw reading ----

    #[inline]
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.buf.len() - self.pos < n {
            return Err(truncated());
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    #[inline]
    fn u8(&mut self) -> Result<u8> {
        match self.buf.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                Ok(b)
            }
            None => Err(truncated()),
        }
    }

    #[inline]
    fn u16(&mut self) -> Result<u16> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    #[inline]
    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A length that must fit in what is left (each element takes at least `unit` bytes):
    /// keeps a lying header from reserving memory the input cannot fill.
    #[inline]
    fn count(&self, n: u32, unit: usize) -> Result<usize> {
        let n = n as usize;
        if n.saturating_mul(unit) > self.buf.len() - self.pos {
            return Err(truncated());
        }
        Ok(n)
    }

    #[inline]
    fn peek_tag(&self) -> Result<u8> {
        self.buf.get(self.pos).copied().ok_or_else(truncated)
    }

    /// The kind of the next term, without reading it.
    pub fn kind(&self) -> Result<Kind> {
        kind_of(self.peek_tag()?)
    }

    #[cold]
    pub(crate) fn wrong(&self, expected: &'static str) -> DecodeError {
        match self.kind() {
            Ok(k) => DecodeError::expected(expected, k),
            Err(e) => e,
        }
    }

    // ---- structure ----

    /// Reads a tuple header: its arity; the elements follow.
    #[inline]
    pub fn tuple(&mut self) -> Result<usize> {
        match self.peek_tag()? {
            tag::SMALL_TUPLE => {
                self.pos += 1;
                let n = self.u8()?;
                self.count(n.into(), 1)
            }
            tag::LARGE_TUPLE => {
                self.pos += 1;
                let n = self.u32()?;
                self.count(n, 1)
            }
            _ => Err(self.wrong("a tuple")),
        }
    }

    /// Reads a tuple header and checks its arity.
    #[inline]
    pub fn tuple_of(&mut self, arity: usize) -> Result<()> {
        let save = self.pos;
        let n = self.tuple()?;
        if n != arity {
            self.pos = save;
            return Err(DecodeError::new(ErrorKind::Expected {
                expected: format!("a tuple of {arity} elements").into(),
                found: format!("a tuple of {n} elements").into(),
            }));
        }
        Ok(())
    }

    /// Reads a list header.
    #[inline]
    pub fn list(&mut self) -> Result<ListHead<'a>> {
        match self.peek_tag()? {
            tag::NIL => {
                self.pos += 1;
                Ok(ListHead::Nil)
            }
            tag::STRING => {
                self.pos += 1;
                let n = self.u16()?;
                match self.take(n.into())? {
                    // Not produced by the VM, but a valid encoding of [].
                    [] => Ok(ListHead::Nil),
                    bytes => Ok(ListHead::Bytes(bytes)),
                }
            }
            tag::LIST => {
                self.pos += 1;
                let n = self.u32()?;
                match self.count(n, 1)? {
                    // Not produced by the VM, but a valid encoding of just the tail.
                    0 => Ok(ListHead::Cons(0)),
                    n => Ok(ListHead::Cons(n)),
                }
            }
            _ => Err(self.wrong("a list")),
        }
    }

    /// Reads the `[]` that ends a proper list after its elements.
    #[inline]
    pub fn proper_tail(&mut self) -> Result<()> {
        match self.peek_tag()? {
            tag::NIL => {
                self.pos += 1;
                Ok(())
            }
            _ => Err(self
                .wrong("[] (a proper list)")
                .context("the tail of a list")),
        }
    }

    /// Reads a map header: the number of key-value pairs; keys and values follow,
    /// alternating.
    #[inline]
    pub fn map(&mut self) -> Result<usize> {
        match self.peek_tag()? {
            tag::MAP => {
                self.pos += 1;
                let n = self.u32()?;
                self.count(n, 2)
            }
            _ => Err(self.wrong("a map")),
        }
    }

    // ---- leaves ----

    /// Reads an atom.
    #[inline]
    pub fn atom(&mut self) -> Result<AtomName<'a>> {
        let (len, latin1) = match self.peek_tag()? {
            tag::SMALL_ATOM_UTF8 => {
                self.pos += 1;
                (usize::from(self.u8()?), false)
            }
            tag::ATOM_UTF8 => {
                self.pos += 1;
                (usize::from(self.u16()?), false)
            }
            tag::ATOM => {
                self.pos += 1;
                (usize::from(self.u16()?), true)
            }
            tag::SMALL_ATOM => {
                self.pos += 1;
                (usize::from(self.u8()?), true)
            }
            _ => return Err(self.wrong("an atom")),
        };
        let bytes = self.take(len)?;
        if latin1 {
            if len > super::atom::MAX_ATOM_CHARS {
                return Err(DecodeError::new(ErrorKind::BadAtom));
            }
        } else if !bytes.is_ascii() {
            match core::str::from_utf8(bytes) {
                Ok(s) if s.chars().count() <= super::atom::MAX_ATOM_CHARS => {}
                _ => return Err(DecodeError::new(ErrorKind::BadAtom)),
            }
        } else if len > super::atom::MAX_ATOM_CHARS {
            return Err(DecodeError::new(ErrorKind::BadAtom));
        }
        Ok(AtomName::from_ext(bytes, latin1))
    }

    /// Reads an integer that fits in `i64`. Larger integers are an out-of-range error (read
    /// them with [`integer`](Decoder::integer)).
    #[inline]
    pub fn i64(&mut self) -> Result<i64> {
        match self.peek_tag()? {
            tag::SMALL_INTEGER => {
                self.pos += 1;
                Ok(self.u8()?.into())
            }
            tag::INTEGER => {
                self.pos += 1;
                Ok((self.u32()? as i32).into())
            }
            _ => match self.integer()? {
                Integer::Small(v) => Ok(v),
                Integer::Big(b) => Err(DecodeError::out_of_range(b.describe(), "i64")),
            },
        }
    }

    /// Reads an integer of any size.
    pub fn integer(&mut self) -> Result<Integer<'a>> {
        let (n, sign) = match self.peek_tag()? {
            tag::SMALL_INTEGER | tag::INTEGER => return self.i64().map(Integer::Small),
            tag::SMALL_BIG => {
                self.pos += 1;
                let n = self.u8()?;
                (usize::from(n), self.u8()?)
            }
            tag::LARGE_BIG => {
                self.pos += 1;
                let n = self.u32()?;
                (self.count(n, 1)?, self.u8()?)
            }
            _ => return Err(self.wrong("an integer")),
        };
        if sign > 1 {
            return Err(DecodeError::new(ErrorKind::Malformed("bignum sign")));
        }
        let digits = self.take(n)?;
        let big = BigInt::new(sign == 1, digits);
        Ok(match big.to_i64() {
            Some(v) => Integer::Small(v),
            None => Integer::Big(big),
        })
    }

    /// Reads a float.
    #[inline]
    pub fn f64(&mut self) -> Result<f64> {
        match self.peek_tag()? {
            tag::NEW_FLOAT => {
                self.pos += 1;
                let b = self.take(8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                let f = f64::from_be_bytes(a);
                if f.is_finite() {
                    Ok(f)
                } else {
                    // Erlang has no NaN or infinity; binary_to_term/1 refuses them too.
                    Err(DecodeError::new(ErrorKind::Malformed(
                        "float (NaN or infinity)",
                    )))
                }
            }
            tag::FLOAT => {
                self.pos += 1;
                let b = self.take(31)?;
                let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
                core::str::from_utf8(&b[..end])
                    .ok()
                    .and_then(|s| s.trim().parse::<f64>().ok())
                    .filter(|f| f.is_finite())
                    .ok_or_else(|| DecodeError::new(ErrorKind::Malformed("float")))
            }
            _ => Err(self.wrong("a float")),
        }
    }

    /// Reads a binary (whole bytes).
    #[inline]
    pub fn binary(&mut self) -> Result<&'a [u8]> {
        match self.peek_tag()? {
            tag::BINARY => {
                self.pos += 1;
                let n = self.u32()?;
                self.take(n as usize)
            }
            _ => Err(self.wrong("a binary")),
        }
    }

    /// Reads a binary or bitstring: its bytes and the number of bits used in the last byte
    /// (1 to 8; 8 for a binary).
    pub fn bitstring(&mut self) -> Result<(&'a [u8], u8)> {
        match self.peek_tag()? {
            tag::BINARY => Ok((self.binary()?, 8)),
            tag::BIT_BINARY => {
                self.pos += 1;
                let n = self.u32()?;
                let bits = self.u8()?;
                let bytes = self.take(n as usize)?;
                if bytes.is_empty() || !(1..=8).contains(&bits) {
                    // The VM never sends an empty bitstring this way, nor 0 or >8 bits.
                    return Err(DecodeError::new(ErrorKind::Malformed("bitstring")));
                }
                Ok((bytes, bits))
            }
            _ => Err(self.wrong("a bitstring")),
        }
    }

    /// Reads any term as its encoded bytes (without version byte), checking it is
    /// well-formed.
    pub fn raw(&mut self) -> Result<RawTerm<'a>> {
        let start = self.pos;
        self.skip()?;
        Ok(RawTerm(&self.buf[start..self.pos]))
    }

    /// Takes the rest of the input as one term without walking it (see
    /// `FromTerm::decode_from_vm`).
    #[inline]
    pub(crate) fn rest_as_raw(&mut self) -> Result<RawTerm<'a>> {
        let rest = &self.buf[self.pos..];
        if rest.is_empty() {
            return Err(truncated());
        }
        self.pos = self.buf.len();
        Ok(RawTerm(rest))
    }

    /// Reads any term into a [`Term`] tree.
    pub fn term(&mut self) -> Result<Term<'a>> {
        Ok(match self.kind()? {
            Kind::Integer => match self.integer()? {
                Integer::Small(v) => Term::Int(v),
                Integer::Big(b) => Term::Big(b),
            },
            Kind::Float => Term::Float(self.f64()?),
            Kind::Atom => Term::Atom(self.atom()?),
            Kind::Binary => Term::Binary(self.binary()?),
            Kind::BitBinary => match self.bitstring()? {
                // Not produced by the VM: a whole last byte makes it a binary.
                (bytes, 8) => Term::Binary(bytes),
                (bytes, bits) => Term::BitBinary(bytes, bits),
            },
            Kind::Tuple => {
                let n = self.tuple()?;
                self.nested(|d| {
                    let mut v = Vec::with_capacity(n.min(PREALLOCATE));
                    for _ in 0..n {
                        v.push(d.term()?);
                    }
                    Ok(Term::Tuple(v))
                })?
            }
            Kind::Nil | Kind::List => match self.list()? {
                ListHead::Nil => Term::List(Vec::new()),
                ListHead::Bytes(b) => Term::Bytes(b),
                // Not produced by the VM: no elements, so the tail is the whole term.
                ListHead::Cons(0) => self.nested(|d| d.term())?,
                ListHead::Cons(n) => self.nested(|d| {
                    let mut v = Vec::with_capacity(n.min(PREALLOCATE));
                    for _ in 0..n {
                        v.push(d.term()?);
                    }
                    if d.peek_tag()? == tag::NIL {
                        d.pos += 1;
                        Ok(Term::List(v))
                    } else {
                        match d.term()? {
                            // Not produced by the VM: a tail that reads as [] (an empty
                            // STRING_EXT, say) ends a proper list.
                            Term::List(w) if w.is_empty() => Ok(Term::List(v)),
                            tail => Ok(Term::Improper(v, Box::new(tail))),
                        }
                    }
                })?,
            },
            Kind::Map => {
                let n = self.map()?;
                self.nested(|d| {
                    let mut v = Vec::with_capacity(n.min(PREALLOCATE));
                    for _ in 0..n {
                        let k = d.term()?;
                        v.push((k, d.term()?));
                    }
                    Ok(Term::Map(v))
                })?
            }
            Kind::Pid => Term::Pid(self.raw()?),
            Kind::Port => Term::Port(self.raw()?),
            Kind::Reference => Term::Ref(self.raw()?),
            Kind::Fun => Term::Fun(self.raw()?),
        })
    }

    /// Records that `attempt`, a copy of this decoder that tried to read the next term one
    /// way and failed, is abandoned (this decoder will try another way). The bytes it read
    /// count against a budget of eight times the input plus 4 KiB: alternatives tried inside
    /// alternatives (derived enums with several transparent variants) cannot make decoding
    /// take more than linear time, whatever the input. `caller` (the decoder the attempts
    /// are made for) learns what was spent when the budget runs out, so that enclosing
    /// alternatives stop at once too.
    #[doc(hidden)]
    pub fn abandon(&mut self, attempt: &Decoder<'a>, caller: &mut Decoder<'a>) -> Result<()> {
        let read = attempt.pos.saturating_sub(self.pos) + 1;
        self.spent = self.spent.max(attempt.spent).saturating_add(read);
        if self.spent > self.buf.len().saturating_mul(8).saturating_add(4096) {
            caller.spent = caller.spent.max(self.spent);
            return Err(DecodeError::custom(
                "too much backtracking: the term matches too many alternatives only in part",
            ));
        }
        Ok(())
    }

    /// Keeps the budget spent by `other` (a copy of this decoder at the same position),
    /// when none of its attempts succeeded.
    #[doc(hidden)]
    pub fn keep_spent(&mut self, other: &Decoder<'a>) {
        self.spent = self.spent.max(other.spent);
    }

    /// Runs `f` one nesting level deeper, failing past the limit.
    #[inline]
    pub fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        if self.depth >= self.max_depth {
            return Err(DecodeError::new(ErrorKind::TooDeep(self.max_depth)));
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    /// Skips one term, checking that it is well-formed.
    pub fn skip(&mut self) -> Result<()> {
        let t = self.peek_tag()?;
        match t {
            tag::SMALL_INTEGER | tag::INTEGER | tag::SMALL_BIG | tag::LARGE_BIG => {
                self.integer().map(drop)
            }
            tag::NEW_FLOAT | tag::FLOAT => self.f64().map(drop),
            tag::ATOM | tag::SMALL_ATOM | tag::ATOM_UTF8 | tag::SMALL_ATOM_UTF8 => {
                self.atom().map(drop)
            }
            tag::BINARY | tag::BIT_BINARY => self.bitstring().map(drop),
            tag::SMALL_TUPLE | tag::LARGE_TUPLE => {
                let n = self.tuple()?;
                self.nested(|d| (0..n).try_for_each(|_| d.skip()))
            }
            tag::NIL | tag::STRING | tag::LIST => match self.list()? {
                ListHead::Nil | ListHead::Bytes(_) => Ok(()),
                ListHead::Cons(n) => self.nested(|d| (0..=n).try_for_each(|_| d.skip())),
            },
            tag::MAP => {
                let n = self.map()?;
                self.nested(|d| (0..2 * n).try_for_each(|_| d.skip()))
            }
            tag::PID | tag::NEW_PID => {
                self.pos += 1;
                self.node()?;
                self.take(if t == tag::PID { 9 } else { 12 }).map(drop)
            }
            tag::PORT | tag::NEW_PORT | tag::V4_PORT => {
                self.pos += 1;
                self.node()?;
                self.take(match t {
                    tag::PORT => 5,
                    tag::NEW_PORT => 8,
                    _ => 12,
                })
                .map(drop)
            }
            tag::REFERENCE => {
                self.pos += 1;
                self.node()?;
                self.take(5).map(drop)
            }
            tag::NEW_REFERENCE | tag::NEWER_REFERENCE => {
                self.pos += 1;
                let n = usize::from(self.u16()?);
                if n > 5 {
                    return Err(DecodeError::new(ErrorKind::Malformed("reference")));
                }
                self.node()?;
                self.take(if t == tag::NEW_REFERENCE { 1 } else { 4 })?;
                self.take(4 * n).map(drop)
            }
            tag::EXPORT => {
                self.pos += 1;
                self.atom()?;
                self.atom()?;
                match self.peek_tag()? {
                    tag::SMALL_INTEGER => self.integer().map(drop),
                    _ => Err(self.wrong("an arity").context("a fun M:F/A")),
                }
            }
            tag::NEW_FUN => {
                self.pos += 1;
                let size = self.u32()? as usize;
                // `size` counts itself and everything after the tag.
                if size < 4 {
                    return Err(DecodeError::new(ErrorKind::Malformed("fun")));
                }
                self.take(size - 4).map(drop)
            }
            tag::COMPRESSED => Err(DecodeError::new(ErrorKind::Compressed)),
            other => Err(DecodeError::new(ErrorKind::UnknownTag(other))),
        }
    }

    /// The node atom of a pid, port or reference.
    fn node(&mut self) -> Result<()> {
        self.atom()
            .map(drop)
            .map_err(|e| e.context("the node of a pid, port or reference"))
    }
}

fn kind_of(t: u8) -> Result<Kind> {
    Ok(match t {
        tag::SMALL_INTEGER | tag::INTEGER | tag::SMALL_BIG | tag::LARGE_BIG => Kind::Integer,
        tag::NEW_FLOAT | tag::FLOAT => Kind::Float,
        tag::ATOM | tag::SMALL_ATOM | tag::ATOM_UTF8 | tag::SMALL_ATOM_UTF8 => Kind::Atom,
        tag::SMALL_TUPLE | tag::LARGE_TUPLE => Kind::Tuple,
        tag::NIL => Kind::Nil,
        tag::STRING | tag::LIST => Kind::List,
        tag::BINARY => Kind::Binary,
        tag::BIT_BINARY => Kind::BitBinary,
        tag::MAP => Kind::Map,
        tag::PID | tag::NEW_PID => Kind::Pid,
        tag::PORT | tag::NEW_PORT | tag::V4_PORT => Kind::Port,
        tag::REFERENCE | tag::NEW_REFERENCE | tag::NEWER_REFERENCE => Kind::Reference,
        tag::EXPORT | tag::NEW_FUN => Kind::Fun,
        tag::COMPRESSED => return Err(DecodeError::new(ErrorKind::Compressed)),
        other => return Err(DecodeError::new(ErrorKind::UnknownTag(other))),
    })
}

#[cold]
fn truncated() -> DecodeError {
    DecodeError::new(ErrorKind::Truncated)
}

/// One well-formed term in the external format, without the version byte: the exact
/// bytes, uninterpreted. Written back as they are (for term output, through the VM's
/// decoder), which makes it the way to pass on pids, references and funs read from input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RawTerm<'a>(&'a [u8]);

impl<'a> RawTerm<'a> {
    /// Checks that `bytes` hold exactly one well-formed term (without version byte).
    pub fn new(bytes: &'a [u8]) -> Result<RawTerm<'a>> {
        let mut d = Decoder::without_version(bytes);
        d.skip()?;
        d.finish()?;
        Ok(RawTerm(bytes))
    }

    /// Bytes known to hold one whole term (this crate's encoder wrote them, or they were
    /// checked before), taken without checking them again.
    pub(crate) fn trusted(bytes: &'a [u8]) -> RawTerm<'a> {
        RawTerm(bytes)
    }

    /// The encoded bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// A decoder over this term.
    pub fn decoder(&self) -> Decoder<'a> {
        Decoder::without_version(self.0)
    }
}
