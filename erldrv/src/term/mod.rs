//! Erlang terms: the external term format (for `port_call`), conversions between Rust
//! values and terms, and term output (messages built from terms).
//!
//! # Reading and writing
//! [`Decoder`] reads the external format (`term_to_binary/1`) borrowing from the input:
//! binaries, atoms and byte lists are never copied, and malformed input of any shape is an
//! error, never a panic or a read out of bounds. [`Encoder`] writes it into any [`Sink`]:
//! a `Vec<u8>`, or the VM's reply buffer of `port_call` (no allocation while the reply fits).
//!
//! Rust values convert with [`FromTerm`](trait@FromTerm) and [`ToTerm`](trait@ToTerm)
//! (derivable: see [Deriving](#deriving)); [`Term`] holds any term. The same `ToTerm` value can be a
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
//! | [`OrNil<T>`](OrNil) | `nil` or the value (Elixir's convention) |
//! | `Result<T, E>` | `{ok, T}` / `{error, E}`; `Ok(())` is `ok` |
//! | `HashMap`, `BTreeMap` | map |
//! | [`Atom`] (static), [`AtomName`] | atom |
//! | [`Binary`](crate::Binary) | binary (sent as a message without copying) |
//! | [`Term`] | any term |
//! | [`RawTerm`] | any term, kept encoded |
//! | [`OwnedTerm`] | any term, kept encoded and owned (`Send + Sync + 'static`) |
//! | [`Pid`](crate::Pid), [`PortId`](crate::PortId) (writing only, in messages only) | pid, port |
//! | `Box<T>`, `Rc<T>`, `Arc<T>`, `&T` | as `T` |
//!
//! [`TermType`](trait@TermType) describes each of these shapes as a [`TypeDesc`], for
//! typespecs (`-spec`, `@spec`) and interface checks: see [`types`], which has this table
//! with the Erlang and Elixir typespec of each row.
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
//! The VM's own handles go only there: a [`Pid`](crate::Pid) or [`PortId`](crate::PortId)
//! (from [`Port::caller`](crate::Port::caller), [`Port::id`](crate::Port::id)) is written as
//! such (`ERL_DRV_PID`, `ERL_DRV_PORT`) in a message,
//! `port.output_term(&(port.id(), port.caller(), 42))`; writing one into a hand-written
//! `port_call` reply or bytes panics ([`TermWriter::pid`]). A command's result may hold them:
//! the framework delivers it by message ([`command`](crate::command#pids-and-ports-in-results)). Pids and ports read from input are external-format
//! bytes ([`Term::Pid`], [`RawTerm`], [`OwnedTerm`]) and go anywhere.
//!
//! [`TermBuilder`] makes that specification, and can be used directly: for the kinds only
//! messages have (`string_cons`, explicit 64-bit integers), to send one term several times,
//! or to keep one builder for all messages. It refuses, with a
//! [`BuildError`], anything that is not exactly one valid term, so a malformed
//! specification never reaches the VM. A message that the VM does not deliver (a dead
//! receiver, a closing port) is reported too.
//!
//! Atoms with ASCII names are sent as the VM's atom handles (a static [`Atom`] is looked up
//! once). Other names go in the external format, as do integers beyond 64 bits, bitstrings
//! and [`RawTerm`]s and [`OwnedTerm`]s, for which the specification has no kind.
//! # Deriving
//! `#[derive(ToTerm, FromTerm)]` gives structs and enums the Erlang shape that fits them,
//! named in snake_case (`NotFound` is `not_found`); `#[term(...)]` options choose another.
//! Reading accepts exactly what writing produces. Each shape, with a value as Erlang writes
//! it:
//!
//! | Rust | Erlang |
//! |------|--------|
//! | `struct Person { name: String, age: u32 }` | `#{name => <<"Ann">>, age => 30}` |
//! | the same with `#[term(tuple)]` | `{<<"Ann">>, 30}` |
//! | the same with `#[term(record)]` | `{person, <<"Ann">>, 30}`, i.e. `#person{name = <<"Ann">>, age = 30}` |
//! | the same with `#[term(record = "user")]` | `{user, <<"Ann">>, 30}` |
//! | the same with `#[term(elixir_struct = "MyApp.Person")]` | `#{'__struct__' => 'Elixir.MyApp.Person', name => <<"Ann">>, age => 30}`, i.e. `%MyApp.Person{}`; reads it or a map without `__struct__` |
//! | `struct Point(i32, i32)` | `{1, -2}` |
//! | `struct Meters(u32)` (one field) | `5`: the field alone |
//! | `#[term(tuple)] struct Meters(u32)` | `{5}` |
//! | `struct Ping;` | `ping` |
//! | enum variant `NotFound` | `not_found` |
//! | enum variant `Get(u32)` | `{get, 7}` |
//! | enum variant `Put { key: String, value: i32 }` | `{put, <<"k">>, 1}`: fields in order |
//! | variant with `#[term(transparent)]`, `Raw(i64)` | `7`: the field alone |
//! | field with `#[term(rename = "max-size")]` | `#{'max-size' => 10}` |
//! | field with `#[term(default)]` | may be missing from the map when read |
//!
//! The [derive's documentation](derive@ToTerm) describes every option; the
//! [`FromTerm` derive's](derive@FromTerm) the rules for reading: maps must have every key
//! once and no other, errors say where they happened.
//!
//! ```
//! use erldrv::term::{self, Atom, FromTerm, ToTerm};
//!
//! #[derive(Debug, PartialEq, ToTerm, FromTerm)]
//! enum Request<'a> {
//!     Ping,                           // ping
//!     Get { key: &'a str },           // {get, <<"k">>}
//!     Put { key: &'a str, value: i64 }, // {put, <<"k">>, 1}
//! }
//!
//! let bytes = term::to_vec(&Request::Get { key: "k" });
//! assert_eq!(term::from_slice::<Request>(&bytes)?, Request::Get { key: "k" });
//!
//! let wrong = term::to_vec(&(Atom::new("get"), 1));
//! assert_eq!(
//!     term::from_slice::<Request>(&wrong).unwrap_err().to_string(),
//!     "expected a UTF-8 binary, found an integer (field key at element 2, in {get, _}, in Request)"
//! );
//! # Ok::<(), erldrv::term::DecodeError>(())
//! ```
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
//! | `term_to_binary(T, [compressed])`, given to [`from_slice`] or [`Decoder::new`] (`port_call` arguments and [`OwnedTerm::from_ext`] inflate it) | any | `a compressed term: inflate it with erldrv::term::decompress before decoding` |
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
//! Compressed terms (`term_to_binary(T, [compressed])`) are inflated by [`decompress`]
//! (feature `compressed`, on by default), which refuses an announced uncompressed size
//! above [`MAX_INFLATED`] before allocating anything and a stream that inflates to any
//! other size than announced. The borrowing readers ([`from_slice`], [`Decoder`]) cannot
//! inflate: they refuse compressed input with an error that names `decompress`.

mod atom;
mod bigint;
mod build;
mod compressed;
mod convert;
mod decode;
pub(crate) mod derive;
mod encode;
mod error;
mod owned;
#[cfg(feature = "serde")]
pub mod serde;
mod show;
mod tag;
pub mod types;
mod value;

pub use atom::{Atom, AtomName, AtomTooLong};
pub use bigint::{BigInt, Integer};
pub use build::{BuildError, BuildErrorKind, TermBuilder};
pub use compressed::{MAX_INFLATED, decompress, decompress_with_limit};
pub use convert::{FromTerm, ToTerm};
pub use decode::{DEFAULT_MAX_DEPTH, Decoder, Kind, ListHead, RawTerm, Result};
pub use encode::{Encoder, Sink, TermWriter};
pub use types::{
    Conflict, Declaration, Dir, Fnv1a, Int, MapField, Named, NoneAtom, OrNil, RecordField,
    TermType, TypeDesc, declarations, fingerprint,
};

/// Derives [`ToTerm`](trait@ToTerm) for a struct or an enum.
///
/// Each kind of type has the Erlang shape that fits it; names become atoms in snake_case
/// (`NotFound` is `not_found`, `HTTPError` is `http_error`; a raw identifier `r#type` is
/// `type`). Options in `#[term(...)]` choose another shape or name.
/// [`#[derive(FromTerm)]`](derive@FromTerm) reads back exactly what this writes.
///
/// # Structs
/// A struct with named fields is a **map** with an atom key per field, written in field
/// order:
///
/// ```
/// # use erldrv::term::{ToTerm, FromTerm};
/// #[derive(ToTerm, FromTerm)]
/// struct Person {
///     name: String,
///     age: u32,
/// }
/// ```
/// ```erlang
/// #{name => <<"Ann">>, age => 30}
/// ```
///
/// - `#[term(tuple)]`: a tuple of the fields in order, `{<<"Ann">>, 30}`.
/// - `#[term(record)]`: a record, `{person, <<"Ann">>, 30}`: the tuple an Erlang module
///   with `-record(person, {name, age}).` builds as `#person{name = <<"Ann">>, age = 30}`.
///   The tag is the struct's name in snake_case; `#[term(record = "user")]` (or
///   `#[term(record, rename = "user")]`) chooses it.
/// - `#[term(transparent)]`, on a struct with one field: the field's value alone.
/// - `#[term(elixir_struct = "MyApp.Person")]`: the map of an Elixir struct,
///   `%MyApp.Person{}`: the key `__struct__ => 'Elixir.MyApp.Person'` is written too. The
///   module is named whole, since it is on the wire (generated clients define it; see
///   `erldrv::command::client`). Only for a struct written as a map, without type or const
///   parameters.
///
/// ```
/// # use erldrv::term::{self, ToTerm, FromTerm};
/// #[derive(Debug, PartialEq, ToTerm, FromTerm)]
/// #[term(elixir_struct = "MyApp.Person")]
/// struct Person {
///     name: String,
///     age: u32,
/// }
///
/// let ann = Person { name: "Ann".into(), age: 30 };
/// assert_eq!(term::from_slice::<Person>(&term::to_vec(&ann))?, ann);
/// # Ok::<(), term::DecodeError>(())
/// ```
///
/// A tuple struct is a **tuple** of its fields: `struct Point(i32, i32)` is `{1, -2}`. With
/// one field it is that field's value alone (a newtype: `struct Meters(u32)` is `5`), unless
/// `#[term(tuple)]` makes it a 1-tuple `{5}`; `#[term(record)]` works here too
/// (`{point, 1, -2}`).
///
/// A unit struct is an **atom**: `struct Ping;` is `ping`; `#[term(rename = "PING")]`
/// makes it `'PING'`.
///
/// # Enums
/// ```
/// # use erldrv::term::{ToTerm, FromTerm};
/// #[derive(ToTerm, FromTerm)]
/// enum Command {
///     Stop,                              // stop
///     NotFound,                          // not_found
///     Get(u32),                          // {get, 7}
///     Put { key: String, value: i32 },   // {put, <<"k">>, 1}
///     #[term(rename = "del")]
///     Delete(u32),                       // {del, 7}
///     #[term(transparent)]
///     Raw(Vec<u8>),                      // <<1, 2, 3>>
/// }
/// ```
/// - A unit variant is an atom: `stop`, `not_found`.
/// - A tuple variant is a tagged tuple: the tag, then the fields, `{get, 7}`. (`Empty()` is
///   `{empty}`.)
/// - A variant with named fields is the same tagged tuple of its fields in declaration
///   order, `{put, <<"k">>, 1}`: Erlang code matches it as `{put, Key, Value}`. The field
///   names are not written.
/// - `#[term(rename = "...")]` chooses the atom or tag.
/// - `#[term(transparent)]`, on a variant with one field: the field's value alone, without
///   a tag. Reading tries such variants in declaration order (see
///   [`FromTerm`](derive@FromTerm#enums)).
///
/// Two variants may not be written alike (the same atom, or the same tag and arity).
///
/// # Options
/// | Where | Option | Effect |
/// |-------|--------|--------|
/// | struct | `tuple` | a tuple of the fields |
/// | struct | `record`, `record = "name"` | `{name, F1, ...}` |
/// | struct, variant | `rename = "name"` | the atom of a unit struct or variant, the tag of a record or variant |
/// | struct, variant | `transparent` | the one field's value alone |
/// | field (map struct) | `rename = "key"` | the map key: `#{'max-size' => 10}` for `rename = "max-size"` |
/// | field (map struct) | `default` | reading a map without the key gives `Default::default()` |
///
/// Anything else, or an option where it means nothing (a field `rename` in a tuple, `transparent`
/// with two fields), is a compile error at the option.
///
/// # Generics
/// Each type parameter `T` gets the bound `T: ToTerm`. Atoms are `static`s of the impl, so
/// writing one costs no lookup after the first (see [`Atom`]).
pub use erldrv_macros::ToTerm;

/// Derives [`FromTerm`](trait@FromTerm) for a struct or an enum: reads the terms
/// [`#[derive(ToTerm)]`](derive@ToTerm) writes, with the same options.
///
/// # Maps
/// Keys may come in any order, as atoms in either encoding (Latin-1 or UTF-8). Every key
/// must be there once: a missing key is an error unless its field has `#[term(default)]`
/// (then it is `Default::default()`), and so are a duplicate key and a key the struct does
/// not have. An `Option` field is no exception: its key must be present, with `undefined`
/// for `None`, unless it has `#[term(default)]`.
///
/// A struct with `#[term(elixir_struct = "MyApp.Person")]` also reads the key `__struct__`
/// when it is there: it must hold `'Elixir.MyApp.Person'` (another struct is refused with
/// `expected a %MyApp.Person{} struct, found %Other{}`). A plain map without it reads too,
/// so that Erlang callers need not name an Elixir module.
///
/// # Enums
/// Variants written with a tag or as an atom are chosen by it (and by the tuple's arity).
/// `transparent` variants are tried in declaration order, from where the term starts, and
/// the first variant that reads the term wins. So a transparent variant that reads
/// anything (an [`AtomName`], a [`Term`]) hides the tagged variants after it: put it last.
///
/// If no variant reads the term, the error is the one of the variant that matched it best
/// (a tagged variant whose tag and arity match, a transparent one that got past the term's
/// kind), else a list of what each variant expects: `expected one of stop, {get, _},
/// found the atom foo`.
///
/// # Borrowing and generics
/// Fields may borrow from the input, as `&'a str`, `&'a [u8]` or [`AtomName<'a>`](AtomName),
/// when the type has one lifetime: `struct Msg<'a>` gets `impl<'a> FromTerm<'a>`. A type
/// without lifetimes works with any input lifetime; one with two lifetimes is a compile
/// error. Each type parameter `T` gets the bound `T: FromTerm<'a>`.
///
/// # Errors
/// Errors say what was expected, as Erlang writes it, and where, from the inside out:
///
/// ```
/// use erldrv::term::{self, FromTerm, ToTerm};
///
/// #[derive(Debug, FromTerm)]
/// struct Person {
///     name: String,
///     age: u32,
/// }
///
/// #[derive(Debug, FromTerm)]
/// #[term(record)]
/// struct Team {
///     lead: Person,
/// }
///
/// // What a caller might send: {team, #{name => <<"Ann">>, age => <<"thirty">>}}
/// #[derive(ToTerm)]
/// #[term(record = "team")]
/// struct Sent {
///     lead: SentPerson,
/// }
/// #[derive(ToTerm)]
/// struct SentPerson {
///     name: &'static str,
///     age: &'static str,
/// }
///
/// let bytes = term::to_vec(&Sent { lead: SentPerson { name: "Ann", age: "thirty" } });
/// assert_eq!(
///     term::from_slice::<Team>(&bytes).unwrap_err().to_string(),
///     "expected an integer, found a binary \
///      (value of key age, in Person, in field lead at element 2, in Team)"
/// );
/// ```
///
/// # Cost
/// Reading a struct or a tagged variant is straight-line code: the header, the tag (compared
/// with [`AtomName::is`]), then each field; a map keeps one `Option` per field. Nothing is
/// allocated unless reading fails (or a field's own type allocates, like `String`). Each
/// container counts as one level of nesting toward the decoder's limit
/// ([`Decoder::set_max_depth`]), so recursive types (through `Box`, `Vec`) cannot exhaust the
/// stack. Trying a transparent variant that does not match costs an error value.
pub use erldrv_macros::FromTerm;

/// Derives [`TermType`](trait@TermType): the Erlang shape of a type that derives
/// [`ToTerm`](derive@ToTerm) and [`FromTerm`](derive@FromTerm), from the same
/// `#[term(...)]` options, so the description is what the codec does (the
/// [mapping](types#the-mapping) shows each shape).
///
/// A separate derive, so that types deriving only `ToTerm`/`FromTerm` keep compiling
/// whatever their fields are: every field's type must be a [`TermType`](trait@TermType)
/// too (a compile error at the field otherwise), and each type parameter `T` gets the
/// bound `T: TermType`.
///
/// A type without type or const parameters is a **named type**: its description is
/// [`TypeDesc::Named`], rendered `point()`, named after the type in snake_case; its
/// definition, with the type's doc comment, comes from [`declarations`]. The input side
/// differs from the output when a field reads more than it writes or has
/// `#[term(default)]` (then the key is optional when read). A generic type is described
/// inline.
///
/// ```
/// use erldrv::term::{FromTerm, TermType, ToTerm, declarations};
///
/// /// A stored value.
/// #[derive(ToTerm, FromTerm, TermType)]
/// struct Entry {
///     key: String,
///     #[term(default)]
///     ttl: Option<u32>,
/// }
///
/// #[derive(ToTerm, FromTerm, TermType)]
/// enum Reply {
///     NotFound,
///     Found(Entry),
/// }
///
/// let reply = Reply::output_type();
/// assert_eq!(reply.to_erlang(), "reply()");
/// let decls: Vec<String> = declarations([&reply, &Entry::input_type()])?
///     .iter()
///     .map(|d| d.to_erlang())
///     .collect();
/// assert_eq!(decls, [
///     "-type reply() :: not_found | {found, entry()}.",
///     "%% A stored value.\n\
///      -type entry() :: #{key := binary(), ttl := undefined | 0..4294967295}.",
///     "%% A stored value.\n\
///      -type entry_input() :: #{key := binary(), ttl => undefined | 0..4294967295}.",
/// ]);
/// # Ok::<(), erldrv::term::Conflict>(())
/// ```
pub use erldrv_macros::TermType;
pub use error::{DecodeError, ErrorKind};
pub use owned::OwnedTerm;
pub use value::Term;

/// Encodes `value` as a whole term (with the version byte), as `term_to_binary/1` would.
pub fn to_vec<T: ToTerm + ?Sized>(value: &T) -> Vec<u8> {
    let mut e = Encoder::new(Vec::new());
    e.version();
    value.write(&mut e);
    e.into_inner()
}

/// Decodes a whole term (with the version byte) as `T`; all bytes must be used.
///
/// `T` may borrow from `bytes`, so a compressed term is an error here: for bytes that may
/// be compressed, `term::from_slice(&term::decompress(bytes)?)` (see [`decompress`]).
pub fn from_slice<'a, T: FromTerm<'a>>(bytes: &'a [u8]) -> Result<T> {
    let mut d = Decoder::new(bytes)?;
    let v = T::decode(&mut d)?;
    d.finish()?;
    Ok(v)
}
