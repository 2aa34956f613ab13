//! Term output: turning prefix-order [`TermWriter`] calls into the VM's postfix term
//! specification (`ErlDrvTermData` words) for `erl_drv_output_term` and `erl_drv_send_term`.

use core::ffi::c_int;
use core::fmt;

use erldrv_sys as sys;

use super::atom::mk_ascii_atom;
use super::bigint::BigInt;
use super::{Atom, AtomName, Encoder, RawTerm, TermWriter, ToTerm};
use crate::binary::Binary;
use crate::ids::{Pid, PortId};

/// Erlang's largest tuple arity.
const MAX_ARITY: usize = 0xFF_FFFF;
/// The VM reads counts and lengths of the term specification as C `int`s.
const MAX_INT: usize = i32::MAX as usize;
/// A port keeps its builder for the next `output_term` only while it holds less than
/// this: one huge message should not pin its memory for the life of the port.
const SCRATCH_KEEP_BYTES: usize = 64 * 1024;

/// Builds one Erlang term for [`Port::output_built`](crate::Port::output_built) and
/// [`Port::send_built`](crate::Port::send_built): a message made of terms, not bytes.
///
/// The builder is a [`TermWriter`]: write a value with [`value`](TermBuilder::value) (any
/// [`ToTerm`]), or call the writer methods directly in prefix order — a container's header
/// with its element count first, then its elements. The VM wants the opposite order (elements
/// first, then the container with its count); the builder converts as it goes, tracking the
/// open containers, so that counts can only come out right. It is the one writer of
/// [`pid`](TermBuilder::pid) and [`port`](TermBuilder::port) (which only messages can hold;
/// [`Pid`] and [`PortId`] values write themselves with them), and besides the writer methods it
/// has the spec kinds that only exist for messages: explicit 64-bit integers
/// ([`int64`](TermBuilder::int64), [`uint64`](TermBuilder::uint64)) and
/// [`string_cons`](TermBuilder::string_cons).
///
/// Nothing structurally wrong is ever handed to the VM. The builder refuses, with a
/// [`BuildError`] when sending (or from [`check`](TermBuilder::check)):
/// anything but exactly one complete term (missing elements, one too many, two terms), NaN
/// or infinite floats, a bitstring with an impossible bit count, a
/// [`shared_binary`](TermWriter::shared_binary) range outside its binary, and sizes beyond
/// what the VM accepts. The first mistake is the one reported.
///
/// How each kind of term is sent:
///
/// | written with | spec kind |
/// |--------------|-----------|
/// | [`int`](TermWriter::int), [`uint`](TermWriter::uint) | `ERL_DRV_INT`, `ERL_DRV_UINT` (`INT64`/`UINT64` where a word is 32 bits) |
/// | [`int64`](TermBuilder::int64), [`uint64`](TermBuilder::uint64) | `ERL_DRV_INT64`, `ERL_DRV_UINT64` |
/// | [`big`](TermWriter::big) | as `int`/`uint` when it fits 64 bits, else `ERL_DRV_EXT2TERM` |
/// | [`float`](TermWriter::float) | `ERL_DRV_FLOAT` |
/// | [`atom`](TermWriter::atom), [`atom_name`](TermWriter::atom_name) | `ERL_DRV_ATOM`; names that are not ASCII (or contain NUL) as `ERL_DRV_EXT2TERM` |
/// | [`binary`](TermWriter::binary) | `ERL_DRV_BUF2BINARY` (copied) |
/// | [`shared_binary`](TermWriter::shared_binary), a [`Binary`] | `ERL_DRV_BINARY` (not copied) |
/// | [`bitstring`](TermWriter::bitstring) | `ERL_DRV_EXT2TERM` (no spec kind exists for it) |
/// | [`byte_list`](TermWriter::byte_list) | `ERL_DRV_STRING` |
/// | [`string_cons`](TermBuilder::string_cons) | `ERL_DRV_STRING_CONS` |
/// | [`tuple`](TermWriter::tuple), [`list`](TermWriter::list), [`map`](TermWriter::map), [`nil`](TermWriter::nil) | `ERL_DRV_TUPLE`, `ERL_DRV_LIST`, `ERL_DRV_MAP`, `ERL_DRV_NIL` |
/// | [`raw`](TermWriter::raw) | `ERL_DRV_EXT2TERM` |
/// | [`pid`](TermBuilder::pid), [`port`](TermBuilder::port) | `ERL_DRV_PID`, `ERL_DRV_PORT` |
///
/// Data the VM reads through pointers (floats, 64-bit integers, bytes) lives in the
/// builder until the message is sent; [`Binary`] values are kept referenced, and the VM takes
/// its own reference when it builds the message.
///
/// # Reuse
/// [`clear`](TermBuilder::clear) empties a builder and keeps its memory: a builder kept in
/// the port's state and cleared before each message stops allocating once it has grown to
/// the size of the largest message. A built term can also be sent several times, to several
/// processes. ([`Port::output_term`](crate::Port::output_term) and
/// [`Port::send_term`](crate::Port::send_term) already reuse a builder of the port's own.)
///
/// # Threads
/// A builder is plain data (`Send`): it can be filled on any thread. Sent through a
/// [`Port`](crate::Port), on a scheduler thread, atoms whose VM handle is not known yet are
/// looked up (`driver_mk_atom`, which may only be called there) when the term is first sent.
/// Sent through a [`Sender`](crate::Sender), from any thread, nothing is looked up: those
/// atoms are rewritten into the external format (`ERL_DRV_EXT2TERM`), and stay so in the
/// builder. Static [`Atom`]s already sent once through a `Port` have a known handle and
/// are sent by handle either way.
///
/// # Example
/// ```no_run
/// use erldrv::term::{Atom, TermBuilder, TermWriter};
///
/// static READING: Atom = Atom::new("reading");
///
/// // {reading, 18446744073709551615, "id:" ++ "42", <<"celsius">>, 21.5}
/// let mut b = TermBuilder::new();
/// b.tuple(5);
/// b.atom(&READING);
/// b.uint64(u64::MAX);
/// b.string_cons(b"id:");
/// b.byte_list(b"42");
/// b.value("celsius");
/// b.value(&21.5);
/// assert!(b.check().is_ok());
/// // In a callback: port.output_built(&mut b)?;
///
/// b.clear();
/// b.tuple(2);
/// b.value(&1);
/// assert_eq!(
///     b.check().unwrap_err().to_string(),
///     "the term is incomplete: a tuple of 2 elements is missing 1"
/// );
/// ```
#[derive(Default)]
pub struct TermBuilder {
    /// The specification. Words that point into the buffers below hold offsets until
    /// [`prepare`](TermBuilder::prepare) turns them into addresses (the buffers may move
    /// while the builder grows); atom words not looked up yet hold 0.
    spec: Vec<sys::ErlDrvTermData>,
    /// Pointer words of `spec`, rewritten before every send.
    pointers: Vec<Pointer>,
    /// Atom words of `spec` still to look up.
    atoms: Vec<PendingAtom>,
    /// Bytes of binaries, strings, external-format terms and atom names.
    bytes: Vec<u8>,
    floats: Vec<f64>,
    /// `ERL_DRV_INT64` and `ERL_DRV_UINT64` values (an `i64` as its bits).
    ints: Vec<u64>,
    /// References to the binaries sent without copying, so that they outlive the send.
    binaries: Vec<Binary>,
    /// Open containers, innermost last.
    open: Vec<Open>,
    /// One complete term has been written.
    complete: bool,
    /// The first mistake.
    error: Option<BuildError>,
    /// Look atoms up while writing (the builder is used on a scheduler thread), which also
    /// fills the cache of static atoms.
    eager_atoms: bool,
    /// A map of two pairs or more has been written: its keys may be equal, the one mistake
    /// the builder cannot see and the VM refuses.
    maps_to_check: bool,
}

#[derive(Clone, Copy)]
struct Pointer {
    at: usize,
    to: Data,
}

#[derive(Clone, Copy)]
enum Data {
    Bytes(usize),
    Float(usize),
    Int(usize),
}

#[derive(Clone, Copy)]
struct PendingAtom {
    at: usize,
    name: AtomSource,
}

#[derive(Clone, Copy)]
enum AtomSource {
    Static(&'static str),
    /// An ASCII name copied into `bytes`.
    Bytes {
        start: usize,
        len: usize,
    },
}

struct Open {
    kind: OpenKind,
    /// Terms still to come before the container is complete.
    remaining: usize,
}

#[derive(Clone, Copy)]
enum OpenKind {
    Tuple(usize),
    /// Elements, without the tail.
    List(usize),
    /// Pairs.
    Map(usize),
    /// Bytes consed onto the next term, stored in `bytes`.
    StringCons {
        start: usize,
        len: usize,
    },
}

impl OpenKind {
    fn describe(self) -> String {
        fn plural(n: usize, what: &str) -> String {
            if n == 1 {
                format!("1 {what}")
            } else {
                format!("{n} {what}s")
            }
        }
        match self {
            OpenKind::Tuple(n) => format!("a tuple of {}", plural(n, "element")),
            OpenKind::List(n) => format!("a list of {} and a tail", plural(n, "element")),
            OpenKind::Map(n) => format!("a map of {}", plural(n, "pair")),
            OpenKind::StringCons { len, .. } => {
                format!("a string_cons of {} (its tail)", plural(len, "byte"))
            }
        }
    }
}

impl TermBuilder {
    /// An empty builder; allocates nothing until written to.
    pub fn new() -> TermBuilder {
        TermBuilder::default()
    }

    /// A builder that looks atoms up as they are written. Only for scheduler threads.
    pub(crate) fn on_scheduler() -> TermBuilder {
        TermBuilder {
            eager_atoms: true,
            ..TermBuilder::default()
        }
    }

    /// Empties the builder for the next term, keeping its memory. Drops the references it
    /// held to binaries.
    pub fn clear(&mut self) {
        self.spec.clear();
        self.pointers.clear();
        self.atoms.clear();
        self.bytes.clear();
        self.floats.clear();
        self.ints.clear();
        self.binaries.clear();
        self.open.clear();
        self.complete = false;
        self.error = None;
        self.maps_to_check = false;
    }

    /// Writes `value` as one term (see [`ToTerm`]).
    pub fn value<T: ToTerm + ?Sized>(&mut self, value: &T) -> &mut TermBuilder {
        value.write(self);
        self
    }

    /// Whether the builder holds exactly one complete term that can be sent: `Ok`, or the
    /// first mistake. Sending checks the same.
    pub fn check(&self) -> Result<(), BuildError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        if let Some(open) = self.open.last() {
            return Err(BuildError::new(BuildErrorKind::Incomplete {
                container: open.kind.describe(),
                missing: open.remaining,
            }));
        }
        if !self.complete {
            return Err(BuildError::new(BuildErrorKind::Empty));
        }
        if self.spec.len() > MAX_INT {
            return Err(BuildError::new(BuildErrorKind::TooLarge {
                what: "term specification (words)",
                len: self.spec.len(),
                max: MAX_INT,
            }));
        }
        Ok(())
    }

    /// An integer sent as a pointer to a 64-bit value (`ERL_DRV_INT64`). [`int`] picks
    /// the smallest form by itself; this is the explicit spec kind.
    ///
    /// [`int`]: TermWriter::int
    pub fn int64(&mut self, v: i64) {
        self.int64_bits(sys::ERL_DRV_INT64, v as u64);
    }

    /// An unsigned integer sent as a pointer to a 64-bit value (`ERL_DRV_UINT64`).
    pub fn uint64(&mut self, v: u64) {
        self.int64_bits(sys::ERL_DRV_UINT64, v);
    }

    /// A pid (`ERL_DRV_PID`), from [`Port::caller`](crate::Port::caller) or
    /// [`Port::connected`](crate::Port::connected).
    pub fn pid(&mut self, pid: Pid) {
        self.leaf(&[sys::ERL_DRV_PID, pid.as_raw()]);
    }

    /// A port identifier (`ERL_DRV_PORT`), from [`Port::id`](crate::Port::id).
    pub fn port(&mut self, port: PortId) {
        self.leaf(&[sys::ERL_DRV_PORT, port.as_raw()]);
    }

    /// Bytes consed onto the next term, which is their tail (`ERL_DRV_STRING_CONS`): after
    /// `string_cons(b"ab")`, writing the list `"cd"` makes `"abcd"`, writing the atom `x`
    /// makes `[$a, $b | x]`. Without bytes, the next term alone is the term.
    pub fn string_cons(&mut self, bytes: &[u8]) {
        self.begin();
        if bytes.is_empty() {
            return;
        }
        if bytes.len() > MAX_INT {
            return self.fail(too_large("string_cons", bytes.len(), MAX_INT));
        }
        let start = self.bytes.len();
        self.bytes.extend_from_slice(bytes);
        self.open.push(Open {
            kind: OpenKind::StringCons {
                start,
                len: bytes.len(),
            },
            remaining: 1,
        });
    }

    /// Makes the specification ready for the VM: looks up the atoms still pending with
    /// `lookup` (given ASCII names without NUL) and writes the buffers' current addresses
    /// into the pointer words. Returns the words, valid until the builder is next changed.
    fn prepare(
        &mut self,
        lookup: &mut dyn FnMut(&[u8]) -> sys::ErlDrvTermData,
    ) -> Result<&mut [sys::ErlDrvTermData], BuildError> {
        self.check()?;
        for pending in self.atoms.drain(..) {
            let name = match pending.name {
                AtomSource::Static(name) => name.as_bytes(),
                AtomSource::Bytes { start, len } => &self.bytes[start..start + len],
            };
            self.spec[pending.at] = lookup(name);
        }
        Ok(self.resolve_pointers())
    }

    /// As [`prepare`](TermBuilder::prepare), but without looking anything up in the VM, for
    /// threads where `driver_mk_atom` may not be called: each atom still pending becomes
    /// its external format (`ERL_DRV_EXT2TERM`), which the VM decodes into the same atom
    /// when it builds the message. The change stays: sent again, anywhere, the term is the
    /// same.
    fn prepare_without_lookup(&mut self) -> Result<&mut [sys::ErlDrvTermData], BuildError> {
        self.check()?;
        self.inline_pending_atoms();
        Ok(self.resolve_pointers())
    }

    /// Rewrites every pending `ERL_DRV_ATOM, 0` pair as `ERL_DRV_EXT2TERM, ptr, len` with
    /// the atom's external format in `bytes`, shifting the words that follow.
    fn inline_pending_atoms(&mut self) {
        if self.atoms.is_empty() {
            return;
        }
        let mut pending = core::mem::take(&mut self.atoms);
        pending.sort_unstable_by_key(|p| p.at);
        // Each atom's external format, appended to `bytes` once all are encoded (names
        // are read from `bytes`): where each starts there, and its length.
        let base = self.bytes.len();
        let mut ext = Vec::new();
        let mut encoded = Vec::with_capacity(pending.len());
        for p in &pending {
            let name = match p.name {
                AtomSource::Static(name) => name.as_bytes(),
                AtomSource::Bytes { start, len } => &self.bytes[start..start + len],
            };
            let start = ext.len();
            let mut e = Encoder::new(&mut ext);
            e.version();
            // ASCII (`mk_atom_safe`): Latin-1 and UTF-8 read the same.
            e.atom_name(AtomName::from_ext(name, true));
            encoded.push((base + start, ext.len() - start));
        }
        self.bytes.extend_from_slice(&ext);
        // Each pair becomes three words: everything after the n-th atom moves by n.
        let old = core::mem::take(&mut self.spec);
        let mut spec = Vec::with_capacity(old.len() + pending.len());
        let mut from = 0;
        for (p, &(start, len)) in pending.iter().zip(&encoded) {
            // `p.at` is the handle word; the kind word is just before it.
            spec.extend_from_slice(&old[from..p.at - 1]);
            spec.push(sys::ERL_DRV_EXT2TERM);
            self.pointers.push(Pointer {
                at: spec.len(),
                to: Data::Bytes(start),
            });
            spec.push(0);
            spec.push(len);
            from = p.at + 1;
        }
        spec.extend_from_slice(&old[from..]);
        let moved_pointers = self.pointers.len() - pending.len();
        for ptr in &mut self.pointers[..moved_pointers] {
            ptr.at += pending.partition_point(|p| p.at < ptr.at);
        }
        self.spec = spec;
        // Keep the (now empty) allocation for the next term.
        pending.clear();
        self.atoms = pending;
    }

    /// Writes the buffers' current addresses into the pointer words.
    fn resolve_pointers(&mut self) -> &mut [sys::ErlDrvTermData] {
        for p in &self.pointers {
            self.spec[p.at] = match p.to {
                Data::Bytes(i) => self.bytes[i..].as_ptr() as sys::ErlDrvTermData,
                Data::Float(i) => (&raw const self.floats[i]) as sys::ErlDrvTermData,
                Data::Int(i) => (&raw const self.ints[i]) as sys::ErlDrvTermData,
            };
        }
        &mut self.spec
    }

    /// Prepares the term and hands it to `send` (`erl_drv_output_term` or
    /// `erl_drv_send_term` with the words and their count); maps the VM's answer.
    ///
    /// Must run on a scheduler thread: pending atoms are looked up with `driver_mk_atom`.
    pub(crate) fn deliver(
        &mut self,
        send: impl FnOnce(*mut sys::ErlDrvTermData, c_int) -> c_int,
    ) -> Result<(), BuildError> {
        let spec = self.prepare(&mut mk_ascii_atom)?;
        send_spec(spec, send)
    }

    /// As [`deliver`](TermBuilder::deliver), on any thread: never calls `driver_mk_atom`
    /// (pending atoms go in the external format instead), and reads the VM's answer as it
    /// means when the port may have closed.
    ///
    /// For a port id whose port has closed the VM answers -1, the same as for a term it
    /// refuses. The builder refuses everything wrong it can see, which leaves one cause of
    /// refusal: equal keys in a map. So -1 means not delivered unless the term holds a map
    /// of two pairs or more, where it stays [`BuildErrorKind::Refused`] (documented as
    /// possibly a closed port).
    pub(crate) fn deliver_anywhere(
        &mut self,
        send: impl FnOnce(*mut sys::ErlDrvTermData, c_int) -> c_int,
    ) -> Result<(), BuildError> {
        let maps_to_check = self.maps_to_check;
        let spec = self.prepare_without_lookup()?;
        match send_spec(spec, send) {
            Err(e) if matches!(*e.0, BuildErrorKind::Refused(_)) && !maps_to_check => {
                Err(BuildError::new(BuildErrorKind::NotDelivered))
            }
            r => r,
        }
    }

    /// Memory held for reuse, roughly.
    pub(crate) fn retained_bytes(&self) -> usize {
        self.spec.capacity() * size_of::<sys::ErlDrvTermData>()
            + self.pointers.capacity() * size_of::<Pointer>()
            + self.atoms.capacity() * size_of::<PendingAtom>()
            + self.bytes.capacity()
            + self.floats.capacity() * 8
            + self.ints.capacity() * 8
            + self.binaries.capacity() * size_of::<Binary>()
            + self.open.capacity() * size_of::<Open>()
    }

    /// Whether the port should keep this builder for its next message.
    pub(crate) fn worth_keeping(&self) -> bool {
        self.retained_bytes() <= SCRATCH_KEEP_BYTES
    }

    // ---- bookkeeping ----

    /// A term starts: there must be room for it.
    #[inline]
    fn begin(&mut self) {
        if self.open.is_empty() && self.complete {
            self.fail(BuildErrorKind::SecondTerm);
        }
    }

    /// A term has been completed: counts it in its container, closing every container
    /// this completes.
    fn done(&mut self) {
        loop {
            let Some(top) = self.open.last_mut() else {
                self.complete = true;
                return;
            };
            top.remaining -= 1;
            if top.remaining > 0 {
                return;
            }
            let kind = top.kind;
            self.open.pop();
            match kind {
                OpenKind::Tuple(n) => self.spec.extend([sys::ERL_DRV_TUPLE, n]),
                OpenKind::List(n) => self.spec.extend([sys::ERL_DRV_LIST, n + 1]),
                OpenKind::Map(n) => self.spec.extend([sys::ERL_DRV_MAP, n]),
                OpenKind::StringCons { start, len } => {
                    self.spec.push(sys::ERL_DRV_STRING_CONS);
                    self.push_bytes_ref(start);
                    self.spec.push(len);
                }
            }
        }
    }

    /// A complete term of these words.
    #[inline]
    fn leaf(&mut self, words: &[sys::ErlDrvTermData]) {
        self.begin();
        self.spec.extend_from_slice(words);
        self.done();
    }

    /// Records the first mistake. The term goes on being tracked, so that later calls
    /// stay consistent, but it will not be sent.
    #[cold]
    fn fail(&mut self, kind: BuildErrorKind) {
        if self.error.is_none() {
            self.error = Some(BuildError::new(kind));
        }
    }

    /// A term that could not be written: counts as written, so that the structure around
    /// it stays as announced.
    #[cold]
    fn fail_leaf(&mut self, kind: BuildErrorKind) {
        self.fail(kind);
        self.leaf(&[sys::ERL_DRV_NIL]);
    }

    /// Pushes a word pointing at `bytes[start..]`.
    fn push_bytes_ref(&mut self, start: usize) {
        self.pointers.push(Pointer {
            at: self.spec.len(),
            to: Data::Bytes(start),
        });
        self.spec.push(0);
    }

    /// A kind that takes a pointer to bytes and their length, copying `bytes`.
    fn bytes_leaf(&mut self, kind: sys::ErlDrvTermData, bytes: &[u8]) {
        self.begin();
        let start = self.bytes.len();
        self.bytes.extend_from_slice(bytes);
        self.spec.push(kind);
        self.push_bytes_ref(start);
        self.spec.push(bytes.len());
        self.done();
    }

    /// A term in the external format, encoded by `encode` (`ERL_DRV_EXT2TERM`).
    fn ext(&mut self, encode: impl FnOnce(&mut Encoder<&mut Vec<u8>>)) {
        self.begin();
        let start = self.bytes.len();
        let mut e = Encoder::new(&mut self.bytes);
        e.version();
        encode(&mut e);
        let len = self.bytes.len() - start;
        self.spec.push(sys::ERL_DRV_EXT2TERM);
        self.push_bytes_ref(start);
        self.spec.push(len);
        self.done();
    }

    fn int64_bits(&mut self, kind: sys::ErlDrvTermData, bits: u64) {
        self.begin();
        self.pointers.push(Pointer {
            at: self.spec.len() + 1,
            to: Data::Int(self.ints.len()),
        });
        self.ints.push(bits);
        self.spec.extend([kind, 0]);
        self.done();
    }

    /// An atom whose name is ASCII without NUL (what `driver_mk_atom` reads correctly).
    fn ascii_atom(&mut self, name: &[u8]) {
        if self.eager_atoms {
            let t = mk_ascii_atom(name);
            return self.leaf(&[sys::ERL_DRV_ATOM, t]);
        }
        let start = self.bytes.len();
        self.bytes.extend_from_slice(name);
        self.pending_atom(AtomSource::Bytes {
            start,
            len: name.len(),
        });
    }

    fn pending_atom(&mut self, name: AtomSource) {
        self.begin();
        self.atoms.push(PendingAtom {
            at: self.spec.len() + 1,
            name,
        });
        self.spec.extend([sys::ERL_DRV_ATOM, 0]);
        self.done();
    }
}

/// Hands the prepared `spec` to `send` and maps the VM's answer: positive is delivered, 0
/// is not delivered, negative is refused.
fn send_spec(
    spec: &mut [sys::ErlDrvTermData],
    send: impl FnOnce(*mut sys::ErlDrvTermData, c_int) -> c_int,
) -> Result<(), BuildError> {
    // `check` bounded the length.
    let len = spec.len() as c_int;
    match send(spec.as_mut_ptr(), len) {
        r if r > 0 => Ok(()),
        0 => Err(BuildError::new(BuildErrorKind::NotDelivered)),
        r => Err(BuildError::new(BuildErrorKind::Refused(r))),
    }
}

/// Whether `driver_mk_atom` makes the atom `name` (it reads Latin-1 up to a NUL).
fn mk_atom_safe(name: &[u8]) -> bool {
    name.is_ascii() && !name.contains(&0)
}

fn too_large(what: &'static str, len: usize, max: usize) -> BuildErrorKind {
    BuildErrorKind::TooLarge { what, len, max }
}

impl TermWriter for TermBuilder {
    fn int(&mut self, v: i64) {
        match isize::try_from(v) {
            Ok(w) => self.leaf(&[sys::ERL_DRV_INT, w as sys::ErlDrvTermData]),
            Err(_) => self.int64(v),
        }
    }

    fn uint(&mut self, v: u64) {
        match usize::try_from(v) {
            Ok(w) => self.leaf(&[sys::ERL_DRV_UINT, w]),
            Err(_) => self.uint64(v),
        }
    }

    fn big(&mut self, negative: bool, magnitude_le: &[u8]) {
        let big = BigInt::new(negative, magnitude_le);
        // By sign, so that a negative zero is written as `int(0)`.
        if negative {
            if let Some(v) = big.to_i64() {
                return self.int(v);
            }
        } else if let Some(u) = big.to_u64() {
            return self.uint(u);
        }
        self.ext(|e| e.big(negative, big.trimmed()));
    }

    fn float(&mut self, v: f64) {
        if !v.is_finite() {
            return self.fail_leaf(BuildErrorKind::NotFinite(v));
        }
        self.begin();
        self.pointers.push(Pointer {
            at: self.spec.len() + 1,
            to: Data::Float(self.floats.len()),
        });
        self.floats.push(v);
        self.spec.extend([sys::ERL_DRV_FLOAT, 0]);
        self.done();
    }

    fn atom(&mut self, atom: &Atom) {
        let name = atom.name();
        if !mk_atom_safe(name.as_bytes()) {
            return self.ext(|e| e.atom(atom));
        }
        if let Some(t) = atom.cached_term_data() {
            return self.leaf(&[sys::ERL_DRV_ATOM, t]);
        }
        if self.eager_atoms
            && let Some(t) = atom.term_data()
        {
            return self.leaf(&[sys::ERL_DRV_ATOM, t]);
        }
        self.pending_atom(AtomSource::Static(name));
    }

    fn atom_name(&mut self, atom: AtomName<'_>) {
        // A Latin-1 name that is ASCII reads the same as UTF-8.
        if mk_atom_safe(atom.as_bytes()) {
            self.ascii_atom(atom.as_bytes());
        } else {
            self.ext(|e| e.atom_name(atom));
        }
    }

    fn binary(&mut self, bytes: &[u8]) {
        self.bytes_leaf(sys::ERL_DRV_BUF2BINARY, bytes);
    }

    fn shared_binary(&mut self, binary: &Binary, offset: usize, len: usize) {
        if offset.checked_add(len).is_none_or(|end| end > binary.len()) {
            return self.fail_leaf(BuildErrorKind::OutOfRange {
                offset,
                len,
                size: binary.len(),
            });
        }
        self.leaf(&[
            sys::ERL_DRV_BINARY,
            binary.as_raw() as sys::ErlDrvTermData,
            len,
            offset,
        ]);
        self.binaries.push(binary.clone());
    }

    fn bitstring(&mut self, bytes: &[u8], bits: u8) {
        if !(1..=8).contains(&bits) {
            return self.fail_leaf(BuildErrorKind::BitCount(bits));
        }
        if bits == 8 || bytes.is_empty() {
            return self.binary(bytes);
        }
        self.ext(|e| e.bitstring(bytes, bits));
    }

    fn byte_list(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return self.nil();
        }
        if bytes.len() > MAX_INT {
            return self.fail_leaf(too_large("byte list", bytes.len(), MAX_INT));
        }
        self.bytes_leaf(sys::ERL_DRV_STRING, bytes);
    }

    fn tuple(&mut self, arity: usize) {
        self.begin();
        if arity > MAX_ARITY {
            self.fail(too_large("tuple", arity, MAX_ARITY));
        }
        if arity == 0 {
            self.spec.extend([sys::ERL_DRV_TUPLE, 0]);
            return self.done();
        }
        self.open.push(Open {
            kind: OpenKind::Tuple(arity),
            remaining: arity,
        });
    }

    fn list(&mut self, len: usize) {
        if len == 0 {
            // The tail, still to come, is the whole term.
            return;
        }
        self.begin();
        if len >= MAX_INT {
            self.fail(too_large("list", len, MAX_INT - 1));
        }
        self.open.push(Open {
            kind: OpenKind::List(len),
            remaining: len.saturating_add(1),
        });
    }

    fn nil(&mut self) {
        self.leaf(&[sys::ERL_DRV_NIL]);
    }

    fn map(&mut self, pairs: usize) {
        self.begin();
        if pairs > MAX_INT / 2 {
            self.fail(too_large("map", pairs, MAX_INT / 2));
        }
        if pairs == 0 {
            self.spec.extend([sys::ERL_DRV_MAP, 0]);
            return self.done();
        }
        if pairs > 1 {
            self.maps_to_check = true;
        }
        self.open.push(Open {
            kind: OpenKind::Map(pairs),
            remaining: pairs.saturating_mul(2),
        });
    }

    fn raw(&mut self, term: RawTerm<'_>) {
        self.ext(|e| e.sink().extend_from_slice(term.as_bytes()));
    }

    /// `ERL_DRV_PID`, as [`TermBuilder::pid`].
    fn pid(&mut self, pid: Pid) {
        TermBuilder::pid(self, pid);
    }

    /// `ERL_DRV_PORT`, as [`TermBuilder::port`].
    fn port(&mut self, port: PortId) {
        TermBuilder::port(self, port);
    }
}

impl fmt::Debug for TermBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TermBuilder")
            .field("words", &self.spec.len())
            .field("open", &self.open.len())
            .field("complete", &self.complete)
            .field("error", &self.error)
            .finish()
    }
}

/// Why a term could not be sent: it was not one complete, valid term (found before
/// anything reaches the VM), or the VM did not deliver it.
#[derive(Clone, PartialEq)]
pub struct BuildError(Box<BuildErrorKind>);

/// The kinds of [`BuildError`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum BuildErrorKind {
    /// Nothing was written.
    Empty,
    /// A container did not get all its elements.
    Incomplete {
        /// The innermost open container, as "a tuple of 3 elements".
        container: String,
        /// How many terms it still needs.
        missing: usize,
    },
    /// A term was written after the term was complete (too many elements, or two terms).
    SecondTerm,
    /// A NaN or infinite float: Erlang has neither.
    NotFinite(f64),
    /// A bitstring whose last byte would hold this many bits (1–8 are possible).
    BitCount(u8),
    /// A part of a binary outside it.
    OutOfRange {
        /// Start of the part.
        offset: usize,
        /// Its length.
        len: usize,
        /// The binary's size.
        size: usize,
    },
    /// A size beyond what the VM accepts.
    TooLarge {
        /// What is too large.
        what: &'static str,
        /// Its size.
        len: usize,
        /// The largest size accepted.
        max: usize,
    },
    /// The VM did not deliver the message (it returned 0): the receiving process is not
    /// alive, or the port is closing. As with Erlang's `!`, this is normal when the
    /// receiver may have exited.
    NotDelivered,
    /// The VM refused the term (it returned this negative value), for example a map with
    /// two equal keys, which the builder cannot see.
    ///
    /// From a [`Sender`](crate::Sender) whose port has closed the VM answers -1 as well;
    /// the sender reports that as [`NotDelivered`](BuildErrorKind::NotDelivered), except
    /// for a term holding a map of two pairs or more, where the two cannot be told apart.
    Refused(i32),
}

impl BuildError {
    #[cold]
    fn new(kind: BuildErrorKind) -> BuildError {
        BuildError(Box::new(kind))
    }

    /// The error for a message nobody received.
    #[cold]
    pub(crate) fn not_delivered() -> BuildError {
        BuildError::new(BuildErrorKind::NotDelivered)
    }

    /// What went wrong.
    pub fn kind(&self) -> &BuildErrorKind {
        &self.0
    }

    /// Whether the term was valid but not delivered ([`BuildErrorKind::NotDelivered`]).
    pub fn is_not_delivered(&self) -> bool {
        matches!(*self.0, BuildErrorKind::NotDelivered)
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            BuildErrorKind::Empty => f.write_str("no term was written"),
            BuildErrorKind::Incomplete { container, missing } => {
                write!(
                    f,
                    "the term is incomplete: {container} is missing {missing}"
                )
            }
            BuildErrorKind::SecondTerm => f.write_str(
                "a term was written after the term was complete \
                 (more elements than announced, or two terms)",
            ),
            BuildErrorKind::NotFinite(v) => {
                write!(f, "the float {v} cannot be sent: Erlang floats are finite")
            }
            BuildErrorKind::BitCount(bits) => {
                write!(f, "a bitstring's last byte holds 1 to 8 bits, not {bits}")
            }
            BuildErrorKind::OutOfRange { offset, len, size } => write!(
                f,
                "binary range {offset}+{len} is outside a binary of {size} bytes"
            ),
            BuildErrorKind::TooLarge { what, len, max } => {
                write!(f, "a {what} of {len} is larger than the VM accepts ({max})")
            }
            BuildErrorKind::NotDelivered => f.write_str(
                "the message was not delivered: the receiver is not alive, or the port is closing or closed",
            ),
            BuildErrorKind::Refused(r) => write!(
                f,
                "the VM refused the term (returned {r}); a map with equal keys is one cause"
            ),
        }
    }
}

impl fmt::Debug for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BuildError({:?}: \"{self}\")", self.0)
    }
}

impl std::error::Error for BuildError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::term::{OwnedTerm, to_vec};

    use sys::{
        ERL_DRV_ATOM, ERL_DRV_BUF2BINARY, ERL_DRV_EXT2TERM, ERL_DRV_FLOAT, ERL_DRV_INT,
        ERL_DRV_INT64, ERL_DRV_LIST, ERL_DRV_MAP, ERL_DRV_NIL, ERL_DRV_PID, ERL_DRV_PORT,
        ERL_DRV_STRING, ERL_DRV_STRING_CONS, ERL_DRV_TUPLE, ERL_DRV_UINT, ERL_DRV_UINT64,
    };

    // Unit tests run without a VM. The builder's code can reach these two VM functions
    // (atom lookup on scheduler builders, releasing binaries), so the test binary needs
    // them to link; the tests never create binaries and look atoms up with `fake_atom`,
    // so reaching either is a failure.
    #[unsafe(no_mangle)]
    extern "C" fn driver_mk_atom(_name: *mut core::ffi::c_char) -> sys::ErlDrvTermData {
        panic!("driver_mk_atom called in a unit test")
    }
    #[unsafe(no_mangle)]
    extern "C" fn driver_free_binary(_bin: *mut sys::ErlDrvBinary) {
        panic!("driver_free_binary called in a unit test")
    }

    /// A specification word, with what pointers point at read back.
    #[derive(Debug, PartialEq)]
    enum W {
        /// A word as it is.
        V(usize),
        /// A pointer and a length: the bytes.
        Bytes(Vec<u8>),
        F(f64),
        I(i64),
        U(u64),
    }
    use W::V;

    fn bytes(b: &[u8]) -> W {
        W::Bytes(b.to_vec())
    }

    /// Fake atom handles: the name's length, tagged.
    fn fake_atom(name: &[u8]) -> sys::ErlDrvTermData {
        0xA70_0000 + name.len()
    }

    /// The prepared specification of `b`, pointers read back.
    fn spec(b: &mut TermBuilder) -> Vec<W> {
        let words = b.prepare(&mut fake_atom).expect("a valid term").to_vec();
        read_back(&words)
    }

    /// As `spec`, prepared as for another thread: no atom lookups.
    fn spec_without_lookup(b: &mut TermBuilder) -> Vec<W> {
        let words = b.prepare_without_lookup().expect("a valid term").to_vec();
        read_back(&words)
    }

    /// Words of a prepared specification, with what their pointers point at read back.
    fn read_back(words: &[sys::ErlDrvTermData]) -> Vec<W> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let kind = words[i];
            out.push(V(kind));
            i += 1;
            // SAFETY: the builder is alive and unchanged; its pointer words point into it.
            unsafe {
                match kind {
                    ERL_DRV_FLOAT => out.push(W::F(*(words[i] as *const f64))),
                    ERL_DRV_INT64 => out.push(W::I(*(words[i] as *const i64))),
                    ERL_DRV_UINT64 => out.push(W::U(*(words[i] as *const u64))),
                    ERL_DRV_STRING | ERL_DRV_STRING_CONS | ERL_DRV_BUF2BINARY
                    | ERL_DRV_EXT2TERM => {
                        let s = core::slice::from_raw_parts(words[i] as *const u8, words[i + 1]);
                        out.push(W::Bytes(s.to_vec()));
                        i += 1;
                    }
                    ERL_DRV_NIL => continue,
                    _ => out.push(V(words[i])),
                }
            }
            i += 1;
        }
        out
    }

    fn build(f: impl FnOnce(&mut TermBuilder)) -> TermBuilder {
        let mut b = TermBuilder::new();
        f(&mut b);
        b
    }

    fn error_of(f: impl FnOnce(&mut TermBuilder)) -> BuildError {
        build(f)
            .check()
            .expect_err("the builder should refuse this")
    }

    static OK: Atom = Atom::new("ok");
    static HELLO: Atom = Atom::new("héllo");

    #[test]
    fn tuple_of_leaves_closes_after_its_elements() {
        let mut b = build(|b| {
            b.tuple(3);
            b.int(-5);
            b.float(2.5);
            b.binary(b"hi");
        });
        assert_eq!(
            spec(&mut b),
            [
                V(ERL_DRV_INT),
                V(-5isize as usize),
                V(ERL_DRV_FLOAT),
                W::F(2.5),
                V(ERL_DRV_BUF2BINARY),
                bytes(b"hi"),
                V(ERL_DRV_TUPLE),
                V(3),
            ]
        );
    }

    #[test]
    fn list_count_includes_the_tail() {
        // [1, 2 | 3] and [[]]
        let mut b = build(|b| {
            b.tuple(2);
            b.list(2);
            b.int(1);
            b.int(2);
            b.int(3);
            b.list(1);
            b.nil();
            b.nil();
        });
        assert_eq!(
            spec(&mut b),
            [
                V(ERL_DRV_INT),
                V(1),
                V(ERL_DRV_INT),
                V(2),
                V(ERL_DRV_INT),
                V(3),
                V(ERL_DRV_LIST),
                V(3),
                V(ERL_DRV_NIL),
                V(ERL_DRV_NIL),
                V(ERL_DRV_LIST),
                V(2),
                V(ERL_DRV_TUPLE),
                V(2),
            ]
        );
    }

    #[test]
    fn a_list_of_no_elements_is_its_tail() {
        let mut b = build(|b| {
            b.list(0);
            b.uint(7);
        });
        assert_eq!(spec(&mut b), [V(ERL_DRV_UINT), V(7)]);
    }

    #[test]
    fn nested_containers_close_together() {
        // #{k => {[x]}}, empty tuple and empty map as leaves
        let mut b = build(|b| {
            b.map(2);
            b.tuple(0);
            b.tuple(1);
            b.list(1);
            b.map(0);
            b.nil();
            b.byte_list(b"");
            b.byte_list(b"ab");
        });
        assert_eq!(
            spec(&mut b),
            [
                V(ERL_DRV_TUPLE),
                V(0),
                V(ERL_DRV_MAP),
                V(0),
                V(ERL_DRV_NIL),
                V(ERL_DRV_LIST),
                V(2),
                V(ERL_DRV_TUPLE),
                V(1),
                V(ERL_DRV_NIL),
                V(ERL_DRV_STRING),
                bytes(b"ab"),
                V(ERL_DRV_MAP),
                V(2),
            ]
        );
    }

    #[test]
    fn string_cons_comes_after_its_tail() {
        // "ab" ++ "cd" ++ "ef" and [$x | ok]
        let mut b = build(|b| {
            b.tuple(2);
            b.string_cons(b"ab");
            b.string_cons(b"cd");
            b.byte_list(b"ef");
            b.string_cons(b"x");
            b.atom(&OK);
        });
        assert_eq!(
            spec(&mut b),
            [
                V(ERL_DRV_STRING),
                bytes(b"ef"),
                V(ERL_DRV_STRING_CONS),
                bytes(b"cd"),
                V(ERL_DRV_STRING_CONS),
                bytes(b"ab"),
                V(ERL_DRV_ATOM),
                V(fake_atom(b"ok")),
                V(ERL_DRV_STRING_CONS),
                bytes(b"x"),
                V(ERL_DRV_TUPLE),
                V(2),
            ]
        );
    }

    #[test]
    fn empty_string_cons_leaves_the_tail_alone() {
        let mut b = build(|b| {
            b.string_cons(b"");
            b.nil();
        });
        assert_eq!(spec(&mut b), [V(ERL_DRV_NIL)]);
    }

    #[test]
    fn integers_pick_their_kind() {
        let mut b = build(|b| {
            b.tuple(7);
            b.int(i64::MIN);
            b.uint(u64::MAX);
            b.int64(-1);
            b.uint64(u64::MAX);
            b.big(true, &[0, 0, 0, 0, 0, 0, 0, 0x80]); // -2^63
            b.big(false, &[5, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // 5 with high zeros
            b.big(true, &[]); // negative zero is 0
        });
        assert_eq!(
            spec(&mut b),
            [
                V(ERL_DRV_INT),
                V(i64::MIN as usize),
                V(ERL_DRV_UINT),
                V(u64::MAX as usize),
                V(ERL_DRV_INT64),
                W::I(-1),
                V(ERL_DRV_UINT64),
                W::U(u64::MAX),
                V(ERL_DRV_INT),
                V(i64::MIN as usize),
                V(ERL_DRV_UINT),
                V(5),
                V(ERL_DRV_INT),
                V(0),
                V(ERL_DRV_TUPLE),
                V(7),
            ]
        );
    }

    #[test]
    fn integers_beyond_64_bits_go_in_the_external_format() {
        let mut b = build(|b| {
            b.list(2);
            b.value(&u128::MAX);
            b.value(&(i64::MIN as i128 - 1));
            b.nil();
        });
        assert_eq!(
            spec(&mut b),
            [
                V(ERL_DRV_EXT2TERM),
                W::Bytes(to_vec(&u128::MAX)),
                V(ERL_DRV_EXT2TERM),
                W::Bytes(to_vec(&(i64::MIN as i128 - 1))),
                V(ERL_DRV_NIL),
                V(ERL_DRV_LIST),
                V(3),
            ]
        );
    }

    #[test]
    fn floats_keep_their_bits() {
        let mut b = build(|b| {
            b.value(&[-0.0, f64::MAX, 5e-324][..]);
        });
        let s = spec(&mut b);
        assert_eq!(s[0], V(ERL_DRV_FLOAT));
        let W::F(z) = s[1] else {
            panic!("not a float: {:?}", s[1])
        };
        assert!(z == 0.0 && z.is_sign_negative());
        assert_eq!(
            s[2..],
            [
                V(ERL_DRV_FLOAT),
                W::F(f64::MAX),
                V(ERL_DRV_FLOAT),
                W::F(5e-324),
                V(ERL_DRV_NIL),
                V(ERL_DRV_LIST),
                V(4)
            ]
        );
    }

    #[test]
    fn atoms_are_looked_up_unless_they_are_not_ascii() {
        let nul = AtomName::new("a\0b").unwrap();
        let latin1 = AtomName::from_ext(b"caf\xe9", true);
        let mut b = build(|b| {
            b.tuple(5);
            b.atom(&OK);
            b.atom(&HELLO);
            b.atom_name(AtomName::new("run_time").unwrap());
            b.atom_name(nul);
            b.atom_name(latin1);
        });
        assert_eq!(
            spec(&mut b),
            [
                V(ERL_DRV_ATOM),
                V(fake_atom(b"ok")),
                V(ERL_DRV_EXT2TERM),
                W::Bytes(to_vec(&HELLO)),
                V(ERL_DRV_ATOM),
                V(fake_atom(b"run_time")),
                V(ERL_DRV_EXT2TERM),
                W::Bytes(to_vec(&nul)),
                V(ERL_DRV_EXT2TERM),
                W::Bytes(to_vec(&latin1)),
                V(ERL_DRV_TUPLE),
                V(5),
            ]
        );
        // A UTF-8 atom tag, so that the VM reads the name as UTF-8.
        assert_eq!(to_vec(&HELLO)[1], crate::term::tag::SMALL_ATOM_UTF8);
    }

    #[test]
    fn off_scheduler_atoms_go_in_the_external_format() {
        // {ok, 1.5, [run_time], <<"hi">>, ok}: atoms between pointer words, which must
        // move with the words that follow each rewritten atom.
        let mut b = build(|b| {
            b.tuple(5);
            b.atom(&OK);
            b.float(1.5);
            b.list(1);
            b.atom_name(AtomName::new("run_time").unwrap());
            b.nil();
            b.binary(b"hi");
            b.atom(&OK);
        });
        let ext = |name: &[u8]| W::Bytes(to_vec(&AtomName::from_ext(name, true)));
        let expected = [
            V(ERL_DRV_EXT2TERM),
            ext(b"ok"),
            V(ERL_DRV_FLOAT),
            W::F(1.5),
            V(ERL_DRV_EXT2TERM),
            ext(b"run_time"),
            V(ERL_DRV_NIL),
            V(ERL_DRV_LIST),
            V(2),
            V(ERL_DRV_BUF2BINARY),
            bytes(b"hi"),
            V(ERL_DRV_EXT2TERM),
            ext(b"ok"),
            V(ERL_DRV_TUPLE),
            V(5),
        ];
        // `driver_mk_atom` (which panics here) is never reached.
        assert_eq!(spec_without_lookup(&mut b), expected);
        // The rewrite stays: sent again, from anywhere, the same term.
        assert_eq!(spec_without_lookup(&mut b), expected);
        assert_eq!(spec(&mut b), expected);
        // A cleared builder starts over with atoms to look up.
        b.clear();
        b.atom(&OK);
        assert_eq!(spec(&mut b), [V(ERL_DRV_ATOM), V(fake_atom(b"ok"))]);
    }

    #[test]
    fn pending_atoms_are_looked_up_once() {
        let mut b = build(|b| b.value(&true).clear());
        b.value(&OK);
        let mut calls = 0;
        let mut lookup = |_: &[u8]| {
            calls += 1;
            42
        };
        assert_eq!(b.prepare(&mut lookup).unwrap(), [ERL_DRV_ATOM, 42]);
        assert_eq!(b.prepare(&mut lookup).unwrap(), [ERL_DRV_ATOM, 42]);
        assert_eq!(calls, 1);
    }

    #[test]
    fn pids_ports_bitstrings_and_raw_terms() {
        let raw = to_vec(&(1, "x"));
        let mut b = build(|b| {
            b.tuple(5);
            b.pid(Pid::from_raw(0x1234));
            b.port(PortId::from_raw(0x5678));
            b.bitstring(&[0xFF, 0b1010_0000], 3);
            b.bitstring(b"ab", 8);
            b.raw(RawTerm::new(&raw[1..]).unwrap());
        });
        assert_eq!(
            spec(&mut b),
            [
                V(ERL_DRV_PID),
                V(0x1234),
                V(ERL_DRV_PORT),
                V(0x5678),
                V(ERL_DRV_EXT2TERM),
                W::Bytes(vec![131, 77, 0, 0, 0, 2, 3, 0xFF, 0b1010_0000]),
                V(ERL_DRV_BUF2BINARY),
                bytes(b"ab"),
                V(ERL_DRV_EXT2TERM),
                W::Bytes(raw.clone()),
                V(ERL_DRV_TUPLE),
                V(5),
            ]
        );
    }

    #[test]
    fn pids_ports_and_owned_terms_are_values() {
        // {Pid, PortId, OwnedTerm}, as ToTerm values: the same words as the builder's own
        // methods, and the owned term's bytes as they are, looked up or not.
        let owned = OwnedTerm::from_ext(to_vec(&(1.5, "x"))).unwrap();
        let mut b = build(|b| {
            b.value(&(Pid::from_raw(0x1234), PortId::from_raw(0x5678), &owned));
        });
        let expected = [
            V(ERL_DRV_PID),
            V(0x1234),
            V(ERL_DRV_PORT),
            V(0x5678),
            V(ERL_DRV_EXT2TERM),
            W::Bytes(owned.as_ext().to_vec()),
            V(ERL_DRV_TUPLE),
            V(3),
        ];
        assert_eq!(spec_without_lookup(&mut b), expected);
        assert_eq!(spec(&mut b), expected);
    }

    #[test]
    fn pointers_survive_the_buffers_growing() {
        let mut b = TermBuilder::new();
        b.list(1000);
        for i in 0..1000 {
            b.tuple(3);
            b.float(i as f64);
            b.binary(&[i as u8; 3]);
            b.uint64(i);
        }
        b.nil();
        let s = spec(&mut b);
        for i in 0..1000u64 {
            let at = i as usize * 8;
            assert_eq!(s[at + 1], W::F(i as f64));
            assert_eq!(s[at + 3], bytes(&[i as u8; 3]));
            assert_eq!(s[at + 5], W::U(i));
        }
    }

    #[test]
    fn a_cleared_builder_starts_over() {
        let mut b = build(|b| {
            b.tuple(2);
            b.float(f64::NAN);
        });
        assert!(b.check().is_err());
        b.clear();
        b.value(&(1u8, "a"));
        assert_eq!(
            spec(&mut b),
            [
                V(ERL_DRV_INT),
                V(1),
                V(ERL_DRV_BUF2BINARY),
                bytes(b"a"),
                V(ERL_DRV_TUPLE),
                V(2)
            ]
        );
        // Sent again, the same words.
        assert_eq!(spec(&mut b).len(), 6);
    }

    #[test]
    fn refuses_wrong_counts() {
        let e = error_of(|b| {
            b.tuple(3);
            b.int(1);
        });
        assert_eq!(
            e.to_string(),
            "the term is incomplete: a tuple of 3 elements is missing 2"
        );
        assert_eq!(
            *e.kind(),
            BuildErrorKind::Incomplete {
                container: "a tuple of 3 elements".into(),
                missing: 2
            }
        );

        // The tail is missing.
        let e = error_of(|b| {
            b.list(2);
            b.int(1);
            b.int(2);
        });
        assert_eq!(
            e.to_string(),
            "the term is incomplete: a list of 2 elements and a tail is missing 1"
        );

        let e = error_of(|b| {
            b.map(1);
            b.int(1);
        });
        assert!(
            e.to_string().contains("a map of 1 pair is missing 1"),
            "{e}"
        );

        let e = error_of(|b| b.string_cons(b"abc"));
        assert!(e.to_string().contains("string_cons of 3 bytes"), "{e}");

        // One element too many.
        let e = error_of(|b| {
            b.tuple(1);
            b.int(1);
            b.int(2);
        });
        assert_eq!(*e.kind(), BuildErrorKind::SecondTerm);
    }

    #[test]
    fn refuses_two_roots_and_nothing() {
        let e = error_of(|b| {
            b.int(1);
            b.int(2);
        });
        assert_eq!(*e.kind(), BuildErrorKind::SecondTerm);
        assert_eq!(*error_of(|_| {}).kind(), BuildErrorKind::Empty);
        assert_eq!(*error_of(|b| b.list(0)).kind(), BuildErrorKind::Empty);
    }

    #[test]
    fn refuses_what_erlang_cannot_hold() {
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let e = error_of(|b| {
                b.list(1);
                b.float(v);
                b.nil();
            });
            assert!(
                matches!(e.kind(), BuildErrorKind::NotFinite(x) if x.to_bits() == v.to_bits()),
                "{e}"
            );
            assert!(e.to_string().contains("Erlang floats are finite"), "{e}");
        }
        for bits in [0, 9] {
            let e = error_of(|b| b.bitstring(b"a", bits));
            assert_eq!(*e.kind(), BuildErrorKind::BitCount(bits));
        }
        let e = error_of(|b| b.tuple(MAX_ARITY + 1));
        assert!(matches!(
            e.kind(),
            BuildErrorKind::TooLarge { what: "tuple", .. }
        ));
    }

    #[test]
    fn the_first_mistake_is_reported() {
        let e = error_of(|b| {
            b.tuple(2);
            b.float(f64::NAN);
            b.int(1);
            b.int(2);
        });
        assert!(matches!(e.kind(), BuildErrorKind::NotFinite(v) if v.is_nan()));
    }

    #[test]
    fn errors_have_debug_and_source() {
        let e = error_of(|_| {});
        assert_eq!(
            format!("{e:?}"),
            "BuildError(Empty: \"no term was written\")"
        );
        let _: &dyn std::error::Error = &e;
    }
}
