//! Erlang terms: the external term format (for `port_call`), conversions between Rust
//! values and terms, and term output (messages built from terms).
//!
//! # Reading and writing
//! [`Decoder`] reads the external format (`term_to_binary/1`) borrowing from the input:
//! binaries, atoms and byte lists are never copied, and malformed input of any shape is an
//! error, never a panic or a read out of bounds. [`Encoder`] writes it into any [`Sink`]:
//! a `Vec<u8>`, or the VM's reply buffer of `port_call` (no allocation while the reply fits).
//!
//! Rust values convert with [`FromTerm`] and [`ToTerm`] (derivable with
//! `#[derive(FromTerm, ToTerm)]`); [`Term`] holds any term. The same `ToTerm` value can be a
//! `port_call` reply, bytes ([`to_vec`]) or a message ([`Port::output_term`](crate::Port::output_term),
//! [`Port::send_term`](crate::Port::send_term)).
//!
//! | Rust | Erlang |
//! |------|--------|
//! | `i8` … `i128`, `u8` … `u128`, `isize`, `usize` | integer (reading checks the range) |
//! | `f64`, `f32` | float (reading an integer is an error, as in Erlang's `is_float/1`) |
//! | `bool` | `true` / `false` |
//! | `char` | integer (its code point) |
//! | `&str`, `String`, `Cow<str>` | UTF-8 binary |
//! | `&[u8]`, `Vec<u8>`, `[u8; N]` | binary (`Vec<u8>` also reads a list of bytes) |
//! | `Vec<T>`, `[T]`, `[T; N]` | proper list |
//! | `()` | `{}` |
//! | `(A,)` … 12-tuples | tuple |
//! | `Option<T>` | `undefined` or the value |
//! | `Result<T, E>` | `{ok, T}` / `{error, E}`; `Ok(())` is `ok` |
//! | `HashMap`, `BTreeMap` | map |
//! | [`Atom`] (static), [`AtomName`] | atom |
//! | [`Binary`](crate::Binary) | binary (sent as a message without copying) |
//! | [`Term`] | any term |
//! | [`RawTerm`] | any term, kept encoded |
//! | `Box<T>`, `Rc<T>`, `Arc<T>`, `&T` | as `T` |
//!
//! With the `serde` feature, any type that implements serde's `Serialize` or `Deserialize`
//! converts too: the module `erldrv::term::serde` has the functions, the `Serde` wrapper
//! that makes such a type a `ToTerm` and a `FromTerm`, and the mapping of serde's data model
//! to terms.
//!
//! # Term output
//! [`Port::output_term`](crate::Port::output_term) sends any [`ToTerm`] value to the port
//! owner and [`Port::send_term`](crate::Port::send_term) to any local process. The message is
//! the term itself, without the `{Port, {data, _}}` wrapper of byte output, and the VM builds
//! it directly from a term specification (`erl_drv_output_term`): nothing is encoded and
//! decoded, and [`Binary`](crate::Binary) values are shared, not copied.
//!
//! [`TermBuilder`] makes that specification, and can be used directly: for the kinds only
//! messages have (pids, ports, `string_cons`, explicit 64-bit integers), to send one term
//! several times, or to keep one builder for all messages. It refuses, with a
//! [`BuildError`], anything that is not exactly one valid term, so a malformed
//! specification never reaches the VM. A message that the VM does not deliver (a dead
//! receiver, a closing port) is reported too.
//!
//! Atoms with ASCII names are sent as the VM's atom handles (a static [`Atom`] is looked up
//! once). Other names go in the external format, as do integers beyond 64 bits, bitstrings
//! and [`RawTerm`]s, for which the specification has no kind.
//!
//! # Atoms
//! Atoms are never freed by the VM, so nothing here creates atoms from run-time data
//! unless asked to: strings become binaries, and reading an atom only borrows its name.
//! Static atoms ([`Atom`], in a `static`) cost nothing to write and are looked up once for
//! term output. Writing an [`AtomName`] built at run time creates the atom: that is the
//! explicit way.
//!
//! # Errors for bad input
//! A `port_call` whose arguments do not decode replies `{erldrv_badarg, Message}` (see
//! [`Driver::call`](crate::Driver::call)), `Message` being `port_call arguments: ` and then
//! one of these (read as the type in the middle column):
//!
//! | input | read as | message |
//! |-------|---------|---------|
//! | empty, or cut short | any | `the term ends too early (truncated input)` |
//! | `{add, 5, <<"ab` (cut in the binary) | `(AtomName, i64, &[u8])` | `the term ends too early (truncated input) (element 3 of a tuple)` |
//! | first byte not 131 | any | `not in the external term format: the first byte is 130, not 131` |
//! | `term_to_binary(T, [compressed])` | any | `compressed terms are not supported (encode without the compressed option)` |
//! | an unknown tag byte | any | `unknown or unsupported term tag 200` |
//! | a term followed by more bytes | any | `2 bytes left after the term` |
//! | `{add, 5}` | `(AtomName, i64, &[u8])` | `expected a tuple of 3 elements, found a tuple of 2 elements` |
//! | `{add, <<"5">>, <<"abc">>}` | `(AtomName, i64, &[u8])` | `expected an integer, found a binary (element 2 of a tuple)` |
//! | `[1]` | `(AtomName, i64, &[u8])` | `expected a tuple, found a list` |
//! | `300` | `u8` | `integer 300 is out of range for u8` |
//! | `-1` | `u32` | `integer -1 is out of range for u32` |
//! | `18446744073709551616` | `i64` | `integer 18446744073709551616 is out of range for i64` |
//! | an atom whose UTF-8 is invalid | `AtomName` | `an atom that is not valid UTF-8 or longer than 255 characters` |
//! | `<<255>>` | `&str` | `expected a UTF-8 binary, found a binary that is not UTF-8` |
//! | `1.0` | `i64` | `expected an integer, found a float` |
//! | `maybe` | `bool` | `expected true or false, found the atom maybe` |
//! | `[1, undefined]` | `Vec<u16>` | `expected an integer, found an atom (element 2 of a list)` |
//!
//! The VM itself always sends well-formed, uncompressed terms; the first rows matter for
//! bytes from elsewhere ([`from_slice`], [`Decoder`]).
//!
//! # Limits
//! Reading nests at most [`DEFAULT_MAX_DEPTH`] levels of containers into a [`Term`] (the
//! VM's threads have small stacks); typed reading nests as deep as the Rust type does.
//! Compressed terms (`term_to_binary(T, [compressed])`) are refused with an error that says
//! so.

mod atom;
mod build;
mod convert;
mod decode;
mod encode;
mod error;
#[cfg(feature = "serde")]
pub mod serde;
mod tag;
mod value;

pub use atom::{Atom, AtomName, AtomTooLong};
pub use build::{BuildError, BuildErrorKind, TermBuilder};
pub use convert::{FromTerm, ToTerm};
pub use decode::{BigInt, DEFAULT_MAX_DEPTH, Decoder, Integer, Kind, ListHead, RawTerm, Result};
pub use encode::{Encoder, Sink, TermWriter};
pub use error::{DecodeError, ErrorKind};
pub use value::Term;

/// Encodes `value` as a whole term (with the version byte), as `term_to_binary/1` would.
pub fn to_vec<T: ToTerm + ?Sized>(value: &T) -> Vec<u8> {
    let mut e = Encoder::new(Vec::new());
    e.version();
    value.write(&mut e);
    e.into_inner()
}

/// Decodes a whole term (with the version byte) as `T`; all bytes must be used.
pub fn from_slice<'a, T: FromTerm<'a>>(bytes: &'a [u8]) -> Result<T> {
    let mut d = Decoder::new(bytes)?;
    let v = T::decode(&mut d)?;
    d.finish()?;
    Ok(v)
}
