//! Writing terms: the `TermWriter` interface and its external-format implementation.

use super::bigint::BigInt;
use super::tag;
use super::{Atom, AtomName, RawTerm};
use crate::binary::Binary;
use crate::ids::{Pid, PortId};
use crate::reply::{CallOut, Reply};

/// Receives one term, written in prefix order: a container's header (with its element
/// count) comes first, then its elements.
///
/// [`ToTerm`](super::ToTerm) implementations call these methods. Two writers exist: the
/// external-format [`Encoder`] (for `port_call` replies and byte buffers) and the
/// [`TermBuilder`](super::TermBuilder) (for messages). A writer given fewer or more
/// elements than a header announced produces no invalid output: the encoder's bytes fail to
/// decode (a `port_call` caller gets `badarg`), the builder refuses to send.
pub trait TermWriter {
    /// An integer.
    fn int(&mut self, v: i64);
    /// An unsigned integer.
    fn uint(&mut self, v: u64) {
        match i64::try_from(v) {
            Ok(v) => self.int(v),
            Err(_) => self.big(false, &v.to_le_bytes()),
        }
    }
    /// An integer of any size: sign and magnitude (least significant byte first).
    fn big(&mut self, negative: bool, magnitude_le: &[u8]);
    /// A float. Erlang has no NaN or infinity: writing one makes the term invalid.
    fn float(&mut self, v: f64);
    /// A static atom.
    fn atom(&mut self, atom: &Atom);
    /// An atom named at run time (creates it in the VM if needed; see [`AtomName`]).
    fn atom_name(&mut self, atom: AtomName<'_>);
    /// A binary, copied.
    fn binary(&mut self, bytes: &[u8]);
    /// Part of a refc binary. The term builder sends it without copying; the encoder copies.
    ///
    /// # Panics
    /// If the part is not inside the binary (the term builder reports it as an error).
    fn shared_binary(&mut self, binary: &Binary, offset: usize, len: usize) {
        match offset.checked_add(len) {
            Some(end) if end <= binary.len() => self.binary(&binary[offset..end]),
            _ => panic!(
                "bytes {offset}..+{len} are outside a binary of {} bytes",
                binary.len()
            ),
        }
    }
    /// A bitstring: `bytes`, of which the last holds `bits` bits (1–8, high bits first).
    fn bitstring(&mut self, bytes: &[u8], bits: u8);
    /// A proper list of bytes (an Erlang "string").
    fn byte_list(&mut self, bytes: &[u8]);
    /// A tuple header: `arity` elements follow.
    fn tuple(&mut self, arity: usize);
    /// A list header: `len` elements follow, then the tail (write [`nil`](TermWriter::nil)
    /// for a proper list). With `len` 0 the tail alone is the term.
    fn list(&mut self, len: usize);
    /// The empty list.
    fn nil(&mut self);
    /// A map header: `pairs` key-value pairs follow, key first.
    fn map(&mut self, pairs: usize);
    /// A term already in the external format.
    fn raw(&mut self, term: RawTerm<'_>);
    /// A process identifier the VM handed out ([`Port::caller`](crate::Port::caller),
    /// [`Port::connected`](crate::Port::connected)). Only a message can hold one: the
    /// [`TermBuilder`](super::TermBuilder) writes it as `ERL_DRV_PID`.
    ///
    /// # Panics
    /// In any other writer, the [`Encoder`] included: a [`Pid`] is the running VM's handle,
    /// and the driver API has no way to turn it into the external format. (Pids read from
    /// input are not `Pid`s but [`Term::Pid`](super::Term::Pid) or a
    /// [`RawTerm`]: those are written anywhere.)
    fn pid(&mut self, pid: Pid) {
        let _ = pid;
        no_external_format("a Pid")
    }
    /// A port identifier ([`Port::id`](crate::Port::id)). Only a message can hold one: the
    /// [`TermBuilder`](super::TermBuilder) writes it as `ERL_DRV_PORT`.
    ///
    /// # Panics
    /// In any other writer, the [`Encoder`] included, as [`pid`](TermWriter::pid).
    fn port(&mut self, port: PortId) {
        let _ = port;
        no_external_format("a PortId")
    }
}

/// A VM handle written where only the external format goes: a mistake in the program, not
/// in its input, reported where it happens. In a `port_call` reply the callback's panic
/// handling turns it into `{erldrv_panic, Message}` for the caller.
#[cold]
fn no_external_format(what: &str) -> ! {
    panic!(
        "{what} cannot be written in the external term format (a port_call reply, \
         term::to_vec, OwnedTerm::encode): it is a handle of the running VM, which only term \
         messages carry (Port::output_term, Port::send_term, Sender)"
    )
}

#[cold]
fn too_large(n: usize) -> ! {
    panic!("cannot encode a term with {n} elements or bytes: the external format stops at 2^32 - 1")
}

/// Where an [`Encoder`] writes bytes.
pub trait Sink {
    /// Appends bytes.
    fn put(&mut self, bytes: &[u8]);
    /// The bytes written so far, for patching a header after the fact.
    fn written(&mut self) -> &mut [u8];
}

impl Sink for Vec<u8> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    fn written(&mut self) -> &mut [u8] {
        self
    }
}

impl Sink for Reply<'_> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    fn written(&mut self) -> &mut [u8] {
        self.as_mut_slice()
    }
}

impl Sink for CallOut {
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) {
        CallOut::put(self, bytes);
    }
    fn written(&mut self) -> &mut [u8] {
        self.as_mut_slice()
    }
}

impl<S: Sink + ?Sized> Sink for &mut S {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        (**self).put(bytes)
    }
    fn written(&mut self) -> &mut [u8] {
        (**self).written()
    }
}

/// Writes terms in the external format (without the version byte: write
/// [`version`](Encoder::version) first where one is needed).
#[derive(Debug)]
pub struct Encoder<S> {
    out: S,
}

impl<S: Sink> Encoder<S> {
    /// An encoder appending to `out`.
    #[inline]
    pub fn new(out: S) -> Encoder<S> {
        Encoder { out }
    }

    /// Writes the version byte 131 that starts a whole encoded term.
    #[inline]
    pub fn version(&mut self) {
        self.out.put(&[tag::VERSION]);
    }

    /// The sink.
    pub fn into_inner(self) -> S {
        self.out
    }

    /// The sink, to patch what was written.
    pub fn sink(&mut self) -> &mut S {
        &mut self.out
    }

    #[inline]
    fn atom_bytes(&mut self, bytes: &[u8], latin1: bool) {
        let n = bytes.len();
        match (latin1, u8::try_from(n)) {
            (false, Ok(n)) => self.out.put(&[tag::SMALL_ATOM_UTF8, n]),
            (true, Ok(n)) => self.out.put(&[tag::SMALL_ATOM, n]),
            (false, Err(_)) => {
                let n = (n as u16).to_be_bytes();
                self.out.put(&[tag::ATOM_UTF8, n[0], n[1]])
            }
            (true, Err(_)) => {
                let n = (n as u16).to_be_bytes();
                self.out.put(&[tag::ATOM, n[0], n[1]])
            }
        }
        self.out.put(bytes);
    }
}

/// A tag and a 32-bit count. The format has no larger counts: writing one would frame the
/// term wrongly, so it is a panic (the callback's panic handling then refuses the reply).
#[inline]
fn header(tag: u8, n: usize) -> [u8; 5] {
    let Ok(n) = u32::try_from(n) else {
        too_large(n)
    };
    let n = n.to_be_bytes();
    [tag, n[0], n[1], n[2], n[3]]
}

impl<S: Sink> TermWriter for Encoder<S> {
    #[inline]
    fn int(&mut self, v: i64) {
        if let Ok(b) = u8::try_from(v) {
            self.out.put(&[tag::SMALL_INTEGER, b]);
        } else if let Ok(i) = i32::try_from(v) {
            let b = i.to_be_bytes();
            self.out.put(&[tag::INTEGER, b[0], b[1], b[2], b[3]]);
        } else {
            let m = v.unsigned_abs().to_le_bytes();
            self.big(v < 0, &m);
        }
    }

    #[inline]
    fn uint(&mut self, v: u64) {
        match i64::try_from(v) {
            Ok(v) => self.int(v),
            Err(_) => self.big(false, &v.to_le_bytes()),
        }
    }

    fn big(&mut self, negative: bool, magnitude_le: &[u8]) {
        let big = BigInt::new(negative, magnitude_le);
        if let Some(v) = big.to_i64().filter(|v| i32::try_from(*v).is_ok()) {
            return self.int(v);
        }
        let m = big.trimmed();
        let n = m.len();
        match u8::try_from(n) {
            Ok(n8) => self.out.put(&[tag::SMALL_BIG, n8, u8::from(negative)]),
            Err(_) => {
                let h = header(tag::LARGE_BIG, n);
                self.out.put(&h);
                self.out.put(&[u8::from(negative)]);
            }
        }
        self.out.put(m);
    }

    #[inline]
    fn float(&mut self, v: f64) {
        let b = v.to_be_bytes();
        self.out.put(&[
            tag::NEW_FLOAT,
            b[0],
            b[1],
            b[2],
            b[3],
            b[4],
            b[5],
            b[6],
            b[7],
        ]);
    }

    #[inline]
    fn atom(&mut self, atom: &Atom) {
        self.atom_bytes(atom.name().as_bytes(), false);
    }

    fn atom_name(&mut self, atom: AtomName<'_>) {
        self.atom_bytes(atom.as_bytes(), atom.is_latin1());
    }

    #[inline]
    fn binary(&mut self, bytes: &[u8]) {
        self.out.put(&header(tag::BINARY, bytes.len()));
        self.out.put(bytes);
    }

    fn bitstring(&mut self, bytes: &[u8], bits: u8) {
        if bits == 8 || bytes.is_empty() {
            return self.binary(bytes);
        }
        self.out.put(&header(tag::BIT_BINARY, bytes.len()));
        self.out.put(&[bits]);
        self.out.put(bytes);
    }

    fn byte_list(&mut self, bytes: &[u8]) {
        match u16::try_from(bytes.len()) {
            Ok(0) => self.nil(),
            Ok(n) => {
                let n = n.to_be_bytes();
                self.out.put(&[tag::STRING, n[0], n[1]]);
                self.out.put(bytes);
            }
            Err(_) => {
                self.out.put(&header(tag::LIST, bytes.len()));
                for &b in bytes {
                    self.out.put(&[tag::SMALL_INTEGER, b]);
                }
                self.nil();
            }
        }
    }

    #[inline]
    fn tuple(&mut self, arity: usize) {
        match u8::try_from(arity) {
            Ok(n) => self.out.put(&[tag::SMALL_TUPLE, n]),
            Err(_) => self.out.put(&header(tag::LARGE_TUPLE, arity)),
        }
    }

    #[inline]
    fn list(&mut self, len: usize) {
        if len > 0 {
            self.out.put(&header(tag::LIST, len));
        }
    }

    #[inline]
    fn nil(&mut self) {
        self.out.put(&[tag::NIL]);
    }

    #[inline]
    fn map(&mut self, pairs: usize) {
        self.out.put(&header(tag::MAP, pairs));
    }

    fn raw(&mut self, term: RawTerm<'_>) {
        self.out.put(term.as_bytes());
    }
}
