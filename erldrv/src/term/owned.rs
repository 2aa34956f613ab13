//! [`OwnedTerm`]: any term, owned, kept in the external format.

use core::fmt;

use super::decode::{Decoder, RawTerm, Result};
use super::{FromTerm, Term, TermWriter, ToTerm, show, tag};

/// Any Erlang term, owned: its bytes in the external term format, as `term_to_binary/1`
/// writes them (the version byte 131 first).
///
/// [`Term`] and [`RawTerm`] borrow from a callback's input and end with it. An `OwnedTerm`
/// is plain data (`Send + Sync + Clone + 'static`): it keeps the reference or tag a caller
/// sent, or any other term, past the callback, into an async job or a thread and back out,
/// and is sent again exactly as it came, without a tree to copy or rebuild.
///
/// ```no_run
/// use erldrv::term::{Atom, OwnedTerm};
/// use erldrv::{CallError, Driver, Port, StartError, erl_driver};
///
/// static DONE: Atom = Atom::new("done");
/// static OK: Atom = Atom::new("ok");
///
/// struct Worker;
///
/// #[erl_driver(name = "worker_drv")]
/// impl Driver for Worker {
///     fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
///         Ok(Worker)
///     }
///
///     // erldrv:call(Port, 0, {Ref, Job}) returns ok at once; the caller later receives
///     // {done, Port, Ref, Job}, sent from a worker of the driver's pool.
///     fn call(&mut self, port: &Port, _command: u32, (tag, job): (OwnedTerm, OwnedTerm))
///         -> Result<&'static Atom, CallError>
///     {
///         let (sender, caller) = (port.sender(), port.caller());
///         port.spawn_job(move |_cancel| {
///             let _ = sender.send_term(caller, &(&DONE, sender.port_id(), &tag, &job));
///         })
///         .map_err(|busy| CallError::badarg(busy.to_string()))?;
///         Ok(&OK)
///     }
/// }
/// ```
///
/// # Making one
/// - As a [`FromTerm`] type: a `port_call` argument, an element of one, or a field of a
///   derived type. The term's bytes are copied once.
/// - [`OwnedTerm::from`] a [`RawTerm`] (a pid, a reference or any term read with
///   [`Decoder::raw`]).
/// - [`OwnedTerm::from_ext`]: bytes from elsewhere, checked.
/// - [`OwnedTerm::encode`]: any [`ToTerm`] value, a [`Term`] included.
///
/// It always holds exactly one well-formed term: each of these checks, except a whole
/// `port_call` argument, which the VM encoded itself and is taken without walking it. The
/// checks refuse what [`Decoder`] refuses: terms nested deeper than
/// [`DEFAULT_MAX_DEPTH`](super::DEFAULT_MAX_DEPTH) included.
///
/// # Sending and reading it
/// As a [`ToTerm`] value it is written as it is: in a message as the specification kind
/// `ERL_DRV_EXT2TERM` (the VM decodes the bytes into the message; nothing is looked up, so
/// it works from any thread, through a [`Sender`](crate::Sender) too); in a `port_call`
/// reply or [`to_vec`](super::to_vec), copied. The VM makes a fresh copy of each binary in
/// it: a large binary meant to be shared is better kept as a [`Binary`](crate::Binary).
///
/// [`decode`](OwnedTerm::decode) reads it as a [`Term`] that borrows from it,
/// [`decode_as`](OwnedTerm::decode_as) as any [`FromTerm`] type; [`as_ext`](OwnedTerm::as_ext)
/// gives the bytes.
///
/// # Equality and hashing
/// By bytes. Equal bytes are the same term, but one term can be encoded in several ways
/// (an atom in Latin-1 or UTF-8, a list of bytes as a string or as a list, the pairs of a
/// map in another order, an integer in a larger encoding than needed): bytes from different
/// encoders can differ for terms Erlang finds equal (`=:=`). Compare decoded values when the
/// bytes may come from elsewhere. A term that comes back as it went out (a tag, a
/// reference: the use this type is made for) compares equal to the one kept.
///
/// # Debug
/// In Erlang's syntax, with long binaries, lists, tuples and maps cut short:
/// `OwnedTerm({#Ref<nonode@nohost.1.2.3>, <<"abc">>})`. Pids, ports and references show
/// their node's name where Erlang prints a node number.
///
/// # Cost
/// [`Clone`] copies the bytes; for one term shared by several threads, use
/// `Arc<OwnedTerm>` (an `Arc` of a [`ToTerm`] type is one too).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct OwnedTerm(Vec<u8>);

impl OwnedTerm {
    /// Takes bytes in the external format (with the version byte, as from
    /// `term_to_binary/1`) after checking that they hold exactly one well-formed term.
    /// Takes a `Vec<u8>` without copying it. A compressed term
    /// (`term_to_binary(T, [compressed])`) is inflated and kept uncompressed, as
    /// [`decompress`](super::decompress) does.
    ///
    /// # Errors
    /// What [`Decoder`] reports: a first byte other than 131, an unknown
    /// tag, a term cut short, bytes left after the term, nesting deeper than
    /// [`DEFAULT_MAX_DEPTH`](super::DEFAULT_MAX_DEPTH); for a compressed term, what
    /// [`decompress`](super::decompress) reports.
    ///
    /// ```
    /// use erldrv::term::{self, OwnedTerm};
    ///
    /// let t = OwnedTerm::from_ext(term::to_vec(&(1, "a")))?;
    /// assert_eq!(format!("{t:?}"), r#"OwnedTerm({1, <<"a">>})"#);
    ///
    /// let e = OwnedTerm::from_ext(vec![131, 200]).unwrap_err();
    /// assert_eq!(e.to_string(), "unknown or unsupported term tag 200");
    ///
    /// // term_to_binary(lists:duplicate(100, 7), [compressed])
    /// let compressed = [
    ///     131, 80, 0, 0, 0, 103, 120, 156, 203, 102, 72, 97, 167, 3, 0, 0, 220, 254, 3, 140,
    /// ];
    /// let t = OwnedTerm::from_ext(compressed)?;
    /// assert_eq!(t.decode_as::<Vec<u8>>()?, vec![7; 100]);
    /// # Ok::<(), term::DecodeError>(())
    /// ```
    pub fn from_ext(bytes: impl Into<Vec<u8>>) -> Result<OwnedTerm> {
        let mut bytes = bytes.into();
        if super::compressed::is_compressed(&bytes) {
            bytes = super::decompress(&bytes)?.into_owned();
        }
        check(&bytes)?;
        Ok(OwnedTerm(bytes))
    }

    /// Encodes `value`, as [`to_vec`](super::to_vec) does, and checks the result.
    ///
    /// # Errors
    /// When the encoding is not a term the [`Decoder`] reads back: a NaN or infinite float
    /// (Erlang has neither), a bitstring with an impossible bit count, nesting deeper than
    /// [`DEFAULT_MAX_DEPTH`](super::DEFAULT_MAX_DEPTH), fewer or more elements than a
    /// hand-written [`ToTerm`] announced.
    ///
    /// # Panics
    /// When `value` holds a [`Pid`](crate::Pid) or a [`PortId`](crate::PortId): those only
    /// exist in messages (see [`TermWriter::pid`]).
    ///
    /// ```
    /// use erldrv::term::{self, OwnedTerm, Term};
    ///
    /// let bytes = term::to_vec(&(1, [2, 3]));
    /// let read: Term = term::from_slice(&bytes)?;
    /// let owned = OwnedTerm::encode(&read)?;
    /// drop(bytes);
    /// assert_eq!(owned.decode_as::<(u8, Vec<u8>)>()?, (1, vec![2, 3]));
    ///
    /// assert!(OwnedTerm::encode(&f64::NAN).is_err());
    /// # Ok::<(), term::DecodeError>(())
    /// ```
    pub fn encode<T: ToTerm + ?Sized>(value: &T) -> Result<OwnedTerm> {
        OwnedTerm::from_ext(super::to_vec(value))
    }

    /// The bytes, with the version byte: what `binary_to_term/1` reads.
    pub fn as_ext(&self) -> &[u8] {
        &self.0
    }

    /// The bytes, with the version byte, without copying them.
    pub fn into_ext(self) -> Vec<u8> {
        self.0
    }

    /// The term without the version byte, to write inside another term or to read with a
    /// [`Decoder`] ([`RawTerm::decoder`]).
    pub fn as_raw(&self) -> RawTerm<'_> {
        // Every constructor leaves the version byte first and one term after it.
        RawTerm::trusted(&self.0[1..])
    }

    /// Reads the term as a [`Term`], which borrows binaries and atoms from `self`.
    ///
    /// # Errors
    /// Only for a term nested deeper than [`DEFAULT_MAX_DEPTH`](super::DEFAULT_MAX_DEPTH),
    /// which only a whole `port_call` argument can hold.
    pub fn decode(&self) -> Result<Term<'_>> {
        super::from_slice(&self.0)
    }

    /// Reads the term as `T`, which may borrow from `self`.
    ///
    /// # Errors
    /// When the term does not fit `T`; the message says what was expected and where.
    pub fn decode_as<'a, T: FromTerm<'a>>(&'a self) -> Result<T> {
        super::from_slice(&self.0)
    }
}

/// Checks that `bytes` are one whole, well-formed term with the version byte.
fn check(bytes: &[u8]) -> Result<()> {
    let mut d = Decoder::new(bytes)?;
    d.skip()?;
    d.finish()
}

impl From<RawTerm<'_>> for OwnedTerm {
    /// Copies the term's bytes after a version byte. A [`RawTerm`] holds one well-formed
    /// term, so nothing is checked again.
    fn from(raw: RawTerm<'_>) -> OwnedTerm {
        let bytes = raw.as_bytes();
        let mut v = Vec::with_capacity(bytes.len() + 1);
        v.push(tag::VERSION);
        v.extend_from_slice(bytes);
        OwnedTerm(v)
    }
}

impl ToTerm for OwnedTerm {
    /// The bytes as they are: `ERL_DRV_EXT2TERM` in a message.
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.raw(self.as_raw())
    }
}

impl<'a> FromTerm<'a> for OwnedTerm {
    /// Any term, checked and copied.
    fn decode(d: &mut Decoder<'a>) -> Result<Self> {
        d.raw().map(OwnedTerm::from)
    }

    /// A whole `port_call` argument: the VM's encoding of one term, copied without walking
    /// it (as [`RawTerm`] takes it).
    fn decode_from_vm(d: &mut Decoder<'a>) -> Result<Self> {
        d.rest_as_raw().map(OwnedTerm::from)
    }
}

impl fmt::Debug for OwnedTerm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OwnedTerm(")?;
        match self.decode() {
            Ok(t) => show::term(f, &t)?,
            Err(e) => write!(f, "<{} bytes: {e}>", self.0.len())?,
        }
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::OwnedTerm;
    use crate::ids::{Pid, PortId};

    #[test]
    fn an_owned_term_crosses_threads() {
        fn thread_safe<T: Send + Sync + Clone + 'static>() {}
        thread_safe::<OwnedTerm>();
        let t = OwnedTerm::encode(&(1, "x")).unwrap();
        let back = std::thread::spawn(move || t).join().unwrap();
        assert_eq!(back.decode_as::<(u8, &str)>().unwrap(), (1, "x"));
    }

    #[test]
    #[should_panic(expected = "a Pid cannot be written in the external term format")]
    fn a_pid_has_no_external_format() {
        let _ = OwnedTerm::encode(&(1, Pid::from_raw(0x1234)));
    }

    #[test]
    #[should_panic(expected = "a PortId cannot be written in the external term format")]
    fn a_port_id_has_no_external_format() {
        let _ = crate::term::to_vec(&[PortId::from_raw(0x5678)][..]);
    }
}
