//! Typed commands: methods of the `#[erl_driver]` block marked `#[command]`, each one an
//! Erlang-callable function with typed arguments and a typed result, numbered by its name.
//!
//! ```
//! use erldrv::command::{self, CommandKind};
//! use erldrv::{Cancel, Driver, Port, StartError, erl_driver};
//!
//! struct Counter(i64);
//!
//! #[erl_driver(name = "counter_drv")]
//! impl Driver for Counter {
//!     fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
//!         Ok(Counter(0))
//!     }
//!
//!     /// Adds `n` and returns the new total.
//!     #[command]
//!     fn add(&mut self, n: i64) -> i64 {
//!         self.0 += n;
//!         self.0
//!     }
//!
//!     /// Hashes the data on a worker thread.
//!     #[command(async)]
//!     fn digest(cancel: &Cancel, data: Vec<u8>) -> Result<u64, String> {
//!         cancel.check().map_err(|c| c.to_string())?;
//!         Ok(data.iter().fold(0u64, |h, &b| h.rotate_left(5) ^ u64::from(b)))
//!     }
//!
//!     /// The bytes, reversed.
//!     #[command]
//!     fn reverse(data: &[u8]) -> Vec<u8> {
//!         data.iter().rev().copied().collect()
//!     }
//! }
//!
//! let table = command::commands::<Counter>();
//! assert_eq!(table[0].name, "add");
//! assert_eq!(table[0].id, command::id_of("add"));
//! assert_eq!(table[0].kind, CommandKind::Sync);
//! assert_eq!(table[0].args[0].name, "n");
//! assert_eq!(table[0].args[0].ty, "i64");
//! assert_eq!(table[0].doc, "Adds `n` and returns the new total.");
//! assert_eq!(table[1].kind, CommandKind::Async);
//! assert_eq!(table[2].kind, CommandKind::Bytes);
//! ```
//!
//! From Erlang (the generated clients will wrap these calls):
//!
//! ```erlang
//! Ids = maps:from_list([{N, Id} || #{name := N, id := Id} <- erldrv:commands(Port)]),
//! 5 = erldrv:command(Port, maps:get(add, Ids), {5}),
//! {ok, Hash} = erldrv:command_async(Port, maps:get(digest, Ids), {<<"data">>}, 5000),
//! <<"cba">> = port_control(Port, maps:get(reverse, Ids), <<"abc">>).
//! ```
//!
//! The attribute moves the methods into an inherent `impl` of the type (with their docs and
//! attributes: Rust code calls them as ordinary methods) and generates their dispatch.
//!
//! # Sync commands
//! `#[command] fn name(&mut self | &self | nothing, [port: &Port,] a: A, b: B, ...) -> R`
//! runs on the scheduler inside the driver's `call` callback, with the port's state, like
//! any callback: keep it short (use an async command for long work).
//!
//! - **Arguments** arrive as one tuple, `{A, B, ...}`, one element per argument: `{}` for
//!   none, `{A}` for one (always a tuple, so that adding an argument changes only the
//!   arity). Each is decoded with [`FromTerm`]; borrowing from the input (`&str`, `&[u8]`,
//!   `Term<'_>`) costs no copy. An argument that does not decode raises
//!   `error({badarg, Message})` in `erldrv:command/3`, `Message` naming the command, the
//!   argument and what was expected; the method is not called.
//! - **The result** is encoded with [`ToTerm`]:
//!
//!   | the method returns | the caller receives |
//!   |---|---|
//!   | `Result<T, E>` | `{ok, T}` or `{error, E}` |
//!   | `Result<(), E>` | `ok` or `{error, E}` |
//!   | `()` (or nothing) | `ok` |
//!   | any other `T` | `T` as it is |
//!
//! - **A panic** closes the port, as in any callback; `erldrv:command/3` raises
//!   `error({erldrv_panic, Message})`.
//!
//! ## Pids and ports in results
//! A result may be or hold a [`Pid`](crate::Pid) or a [`PortId`](crate::PortId) (`-> Pid`,
//! `Vec<Pid>`, `(Pid, PortId)`, a derived struct with a `Pid` field, `Result<Pid, E>`):
//! Erlang code expects `owner(Port) -> pid()` to work, and it does. Such a value is a handle
//! of the running VM that the driver API can put into a message only, never into the
//! external format `port_call` replies in. So the framework writes the result as usual and,
//! when it meets a handle, sends the whole result to the caller instead, as the message
//! `{erldrv_reply, Port, Value}` (queued before `port_call` returns), and replies
//! `{erldrv_reply, message}`; `erldrv:command/3` (and so the generated client) takes the
//! message and returns `Value`. The cost is a message and a selective receive, for such
//! results only: the others are written into the reply as before. Async commands reply by
//! message anyway, so their results hold handles as they are.
//!
//! ```
//! use erldrv::{Driver, Pid, Port, PortId, StartError, erl_driver};
//!
//! struct Owners;
//!
//! #[erl_driver(name = "owners_drv")]
//! impl Driver for Owners {
//!     fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
//!         Ok(Owners)
//!     }
//!
//!     /// `{Owner, Port}`: `erldrv:command/3` returns `{pid(), port()}`.
//!     #[command]
//!     fn owner(port: &Port) -> (Pid, PortId) {
//!         (port.connected(), port.id())
//!     }
//! }
//! ```
//!
//! The driver's `call` callback is generated: a block with sync commands does not write
//! `call` (a compile error says so).
//!
//! # Async commands
//! `#[command(async)] fn name([cancel: &Cancel,] a: A, ...) -> R` runs on the driver's
//! worker pool ([`pool`](crate::pool)), without the port's state (no receiver: a compile
//! error says so), and answers the calling process alone; the port serves other callers
//! meanwhile. Arguments are owned (`for<'a> FromTerm<'a> + Send + 'static`: `String`,
//! `Vec<u8>`, [`OwnedTerm`](crate::term::OwnedTerm), ...): they outlive the call. A
//! borrowed one is a compile error naming the owned type to use.
//!
//! `erldrv:command_async(Port, Id, Args, Timeout)` sends `term_to_binary(Args)` (the same
//! tuple as a sync command's) as a request ([`Request`](crate::Request)); the framework
//! decodes it in `control` and starts the job as [`Request::spawn`](crate::Request::spawn)
//! does. The caller gets `{ok, Value}` or `{error, Reason}`:
//!
//! | the method returns | the caller receives |
//! |---|---|
//! | `Result<T, E>` | `{ok, T}` or `{error, E}` (`{ok, ok}` for `Ok(())`) |
//! | `()` (or nothing) | `{ok, ok}` |
//! | any other `T` | `{ok, T}` |
//!
//! and, from the framework, `{error, {badarg, Message}}` (an argument did not decode: that
//! caller only), `{error, busy}` (the pool's queue is full), `{error, {erldrv_panic,
//! Message}}` (the job panicked: that caller only, the port stays open), `{error, closed}`,
//! `{error, timeout}` (the job is cancelled: [`Cancel`] turns true).
//!
//! # Bytes commands
//! A sync command whose only argument (after the optional port) is `&[u8]` and whose result
//! is `Vec<u8>`, `&[u8]` (borrowed from the input or `'static`) or [`Binary`] skips the term
//! format: it is called with `erlang:port_control(Port, Id, Data)`, gets `Data`'s bytes as
//! they are and answers a binary (a [`Binary`] without a copy). The signature decides, not
//! an option. The driver's `control` is generated then, and puts the port in binary mode
//! ([`Port::set_control_binary`]): a block with bytes commands does not write `control`
//! (a compile error says so).
//!
//! # Numbers
//! A command's number is [`id_of`] its name: a hash, the same in every build, whatever else
//! the block holds; removing a command frees its number and renumbers nothing else.
//! `#[command(id = N)]` gives a number by hand (below [`RESERVED`]). Two commands of one
//! name or one number are a compile error naming both. Clients look numbers up by name in
//! the table, so user code holds none.
//!
//! # Types
//! Every argument type is [`TermType`] (its [`input_type`](TermType::input_type) is what the
//! argument accepts) and so is the return type (its
//! [`output_type`](TermType::output_type)): derive `TermType` beside `ToTerm`/`FromTerm`
//! on your own types. A type without it is a compile error at the type.
//!
//! # The table
//! [`commands`] lists a driver's commands ([`CommandInfo`]: name, number, kind, arguments
//! with their Rust types and descriptions, result type and description, doc comment), and
//! `erldrv:commands(Port)` returns it from a running port as a list of maps (through a
//! `port_control` command of the runtime's, `0xFFFF_FF03`).
//!
//! # The interface and the generated clients
//! [`fingerprint`] hashes the command set (names, numbers, kinds, argument and reply types,
//! the named types they reach; not docs). `erldrv:interface(Port)` (`0xFFFF_FF04`) returns
//! it with every command's description and own fingerprint, and [`client`] renders an
//! Erlang or Elixir module with a function per command whose `open` checks it; the driver
//! serves that source too (`erldrv:client_source/4`, `0xFFFF_FF05`), which is what
//! `erldrv_gen:generate/1` writes to a file.

pub mod client;
mod interface;

use std::borrow::Cow;

use crate::binary::Binary;
use crate::driver::{Driver, DriverEntry};
use crate::error::{Badarg, CallError};
use crate::pool::Cancel;
use crate::port::Port;
use crate::reply::Reply;
use crate::term::{
    Atom, AtomName, DecodeError, Decoder, FromTerm, TermType, TermWriter, ToTerm, TypeDesc,
    decompress,
};

/// The first command number the framework keeps for itself: `port_control` commands from
/// here up (`0xFFFF_FF00..=0xFFFF_FFFF`) are the runtime's (requests, cancellation, the
/// command table). No command, hashed or given with `#[command(id = N)]`, is numbered there.
pub const RESERVED: u32 = 0xFFFF_FF00;

/// The lowest number [`id_of`] gives: `0..HASHED_FROM` stays free for numbers a driver
/// writes by hand (in its own `control`, beside async commands) and for `id = N`.
pub const HASHED_FROM: u32 = 0x0100_0000;

/// The `port_control` command `erldrv:commands/1` uses: the reply is the table of the
/// driver's commands as a term in the external format.
pub(crate) const TABLE_COMMAND: u32 = 0xFFFF_FF03;

/// The `port_control` command `erldrv:interface/1` uses: the reply is `{ok, Interface}`
/// (the commands with their type descriptions, the named types, the fingerprints) or
/// `{error, Message}`, in the external format.
pub(crate) const INTERFACE_COMMAND: u32 = 0xFFFF_FF04;

/// The `port_control` command `erldrv:client_source/4` uses: the input is
/// `term_to_binary({erlang | elixir, Module, App, Driver})` (binaries), the reply
/// `{ok, Source}` or `{error, Message}`.
pub(crate) const CLIENT_COMMAND: u32 = 0xFFFF_FF05;

pub use interface::fingerprint;

/// The number of the command named `name`, unless it is given with `#[command(id = N)]`:
/// the 32-bit FNV-1a hash of the name, folded into `HASHED_FROM..RESERVED`.
///
/// So a command keeps its number across builds and whatever else the block holds: adding,
/// removing or reordering other commands changes nothing, and removing a command frees its
/// number. Renaming a command renumbers it (its clients must be regenerated). Two commands
/// whose numbers meet are a compile error naming both; give one of them `id = N`.
///
/// ```
/// assert_eq!(erldrv::command::id_of("add"), erldrv::command::id_of("add"));
/// assert_ne!(erldrv::command::id_of("add"), erldrv::command::id_of("sub"));
/// assert!(erldrv::command::id_of("add") >= erldrv::command::HASHED_FROM);
/// ```
pub const fn id_of(name: &str) -> u32 {
    let bytes = name.as_bytes();
    let mut hash: u32 = 0x811c_9dc5;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u32;
        hash = hash.wrapping_mul(0x0100_0193);
        i += 1;
    }
    HASHED_FROM + hash % (RESERVED - HASHED_FROM)
}

/// How a command runs, decided by its signature.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CommandKind {
    /// `#[command]`: runs in `call` on the scheduler, with the port's state; arguments and
    /// result in the external term format (`erldrv:command/3`).
    Sync,
    /// `#[command(async)]`: runs on the driver's worker pool, without the port's state;
    /// the reply goes to the caller alone (`erldrv:command_async/4`).
    Async,
    /// `#[command]` taking only `&[u8]` and returning bytes: runs in `control` on the
    /// scheduler, raw bytes in and a binary out (`erlang:port_control/3`).
    Bytes,
}

impl CommandKind {
    /// The kind as the table's term names it: `sync`, `async` or `bytes`.
    pub const fn as_str(self) -> &'static str {
        match self {
            CommandKind::Sync => "sync",
            CommandKind::Async => "async",
            CommandKind::Bytes => "bytes",
        }
    }
}

/// One argument of a command, as the table describes it.
///
/// New descriptions are added as fields: match on the fields you use, with `..`.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct ArgInfo {
    /// The parameter's name in the method (`arg1`, `arg2`, ... for a pattern).
    pub name: &'static str,
    /// Its Rust type as written (`stringify!`-like, spaces tidied).
    pub ty: &'static str,
    /// What the argument accepts: its type's [`TermType::input_type`].
    ///
    /// ```
    /// use erldrv::{Driver, Port, StartError, command, erl_driver};
    ///
    /// struct Adder;
    ///
    /// #[erl_driver(name = "adder_drv")]
    /// impl Driver for Adder {
    ///     fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
    ///         Ok(Adder)
    ///     }
    ///
    ///     #[command]
    ///     fn add(a: u8, b: Vec<u8>) -> u16 {
    ///         u16::from(a) + b.iter().map(|&x| u16::from(x)).sum::<u16>()
    ///     }
    /// }
    ///
    /// let add = &command::commands::<Adder>()[0];
    /// assert_eq!((add.args[0].input_type)().to_erlang(), "0..255");
    /// assert_eq!((add.args[1].input_type)().to_erlang(), "binary() | [0..255]");
    /// ```
    pub input_type: fn() -> TypeDesc,
}

impl ArgInfo {
    #[doc(hidden)]
    pub const fn new(
        name: &'static str,
        ty: &'static str,
        input_type: fn() -> TypeDesc,
    ) -> ArgInfo {
        ArgInfo {
            name,
            ty,
            input_type,
        }
    }
}

/// One command of a driver: what the client generators read, at run time from
/// [`commands`] or from a running port with `erldrv:commands(Port)`.
///
/// New descriptions are added as fields: match on the fields you use, with `..`.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct CommandInfo {
    /// The method's name, which is also the command's name on the Erlang side.
    pub name: &'static str,
    /// The command number ([`id_of`] the name, or `#[command(id = N)]`).
    pub id: u32,
    /// How it runs: sync, async or bytes.
    pub kind: CommandKind,
    /// The arguments, in order (without the receiver, the port or the cancel flag).
    pub args: &'static [ArgInfo],
    /// The return type as written; `()` when the method has none.
    pub ret: &'static str,
    /// What the method's return type writes: its [`TermType::output_type`] (`{}` for
    /// `()`). What the caller receives is [`reply_type`](CommandInfo::reply_type).
    pub output_type: fn() -> TypeDesc,
    /// The method's doc comment, one line per `///` line, the leading space removed.
    pub doc: &'static str,
    /// An async command returning a `Result` (mapped to `{ok, T}` / `{error, E}` itself).
    returns_result: bool,
}

impl CommandInfo {
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub const fn new(
        name: &'static str,
        id: u32,
        kind: CommandKind,
        args: &'static [ArgInfo],
        ret: &'static str,
        output_type: fn() -> TypeDesc,
        returns_result: bool,
        doc: &'static str,
    ) -> CommandInfo {
        CommandInfo {
            name,
            id,
            kind,
            args,
            ret,
            output_type,
            doc,
            returns_result,
        }
    }

    /// The argument types, in order: what each accepts.
    ///
    /// ```
    /// # use erldrv::{Driver, Port, StartError, command, erl_driver};
    /// # struct Adder;
    /// # #[erl_driver(name = "adder_drv")]
    /// # impl Driver for Adder {
    /// #     fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> { Ok(Adder) }
    /// #     #[command]
    /// #     fn add(a: u8, b: bool) -> u16 { u16::from(a) + u16::from(b) }
    /// # }
    /// let types = command::commands::<Adder>()[0].arg_types();
    /// assert_eq!(types[1].to_erlang(), "boolean()");
    /// ```
    pub fn arg_types(&self) -> Vec<TypeDesc> {
        self.args.iter().map(|a| (a.input_type)()).collect()
    }

    /// What the caller receives, by the result rules of the [module documentation](self):
    ///
    /// - a sync command: the value, `ok` for `()` (a `Result` is `{ok, T} | {error, E}`,
    ///   `ok | {error, E}` for `Result<(), E>`);
    /// - an async command: `{ok, Value}` (`Value` being `ok` for `()`) or `{error, E}`
    ///   for a `Result`, and the framework's errors, `{error, {badarg, binary()} | busy |
    ///   {erldrv_panic, binary()} | closed | timeout}`;
    /// - a bytes command: `binary()`.
    ///
    /// A shape of `{}` is taken as `()`, as the codec's [`TermType`] for `Result` does.
    ///
    /// ```
    /// use erldrv::{Cancel, Driver, Port, StartError, command, erl_driver};
    ///
    /// struct Jobs;
    ///
    /// #[erl_driver(name = "jobs_drv")]
    /// impl Driver for Jobs {
    ///     fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
    ///         Ok(Jobs)
    ///     }
    ///
    ///     #[command]
    ///     fn reset(&mut self) {}
    ///
    ///     #[command(async)]
    ///     fn size(path: String) -> Result<u64, String> {
    ///         std::fs::metadata(path).map(|m| m.len()).map_err(|e| e.to_string())
    ///     }
    /// }
    ///
    /// let table = command::commands::<Jobs>();
    /// assert_eq!(table[0].reply_type().to_erlang(), "ok");
    /// assert_eq!(
    ///     table[1].reply_type().to_erlang(),
    ///     "{ok, 0..18446744073709551615} | {error, binary()} | \
    ///      {error, {badarg, binary()} | busy | {erldrv_panic, binary()} | closed | timeout}"
    /// );
    /// ```
    pub fn reply_type(&self) -> TypeDesc {
        let output = (self.output_type)();
        let unit_as_ok = |t: TypeDesc| {
            if is_unit(&t) {
                TypeDesc::literal("ok")
            } else {
                t
            }
        };
        let tagged =
            |tag: &'static str, t: TypeDesc| TypeDesc::Tuple(vec![TypeDesc::literal(tag), t]);
        match self.kind {
            CommandKind::Bytes => TypeDesc::Binary,
            CommandKind::Sync => unit_as_ok(output),
            CommandKind::Async => {
                let mut alts = Vec::with_capacity(3);
                let result = self
                    .returns_result
                    .then(|| {
                        output
                            .as_result()
                            .map(|(ok, err)| (ok.cloned(), err.clone()))
                    })
                    .flatten();
                match result {
                    Some((ok, err)) => {
                        alts.push(tagged("ok", ok.map_or(TypeDesc::literal("ok"), unit_as_ok)));
                        alts.push(tagged("error", err));
                    }
                    None => alts.push(tagged("ok", unit_as_ok(output))),
                }
                alts.push(tagged("error", framework_errors()));
                TypeDesc::Union(alts)
            }
        }
    }
}

/// The `{error, Reason}` reasons the framework gives an async command's caller.
fn framework_errors() -> TypeDesc {
    let tagged =
        |tag: &'static str| TypeDesc::Tuple(vec![TypeDesc::literal(tag), TypeDesc::Binary]);
    TypeDesc::Union(vec![
        tagged("badarg"),
        TypeDesc::literal("busy"),
        tagged("erldrv_panic"),
        TypeDesc::literal("closed"),
        TypeDesc::literal("timeout"),
    ])
}

fn is_unit(t: &TypeDesc) -> bool {
    matches!(t, TypeDesc::Tuple(v) if v.is_empty())
}

/// The description of an argument of type `T` (used by the table the macro writes).
#[doc(hidden)]
pub fn input_of<T: TermType + ?Sized>() -> TypeDesc {
    T::input_type()
}

/// The description of a return type `T` (used by the table the macro writes).
#[doc(hidden)]
pub fn output_of<T: TermType + ?Sized>() -> TypeDesc {
    T::output_type()
}

/// The commands of driver `D`, in the order the block declares them (empty for a driver
/// without `#[command]` methods).
///
/// ```
/// use erldrv::{Driver, Port, StartError, command, erl_driver};
///
/// struct Plain;
///
/// #[erl_driver(name = "plain_drv")]
/// impl Driver for Plain {
///     fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
///         Ok(Plain)
///     }
/// }
///
/// assert!(command::commands::<Plain>().is_empty());
/// ```
pub fn commands<D: Driver + DriverEntry>() -> &'static [CommandInfo] {
    D::COMMANDS
}

static NAME: Atom = Atom::new("name");
static ID: Atom = Atom::new("id");
static KIND: Atom = Atom::new("kind");
static ARGS: Atom = Atom::new("args");
static RET: Atom = Atom::new("ret");
static DOC: Atom = Atom::new("doc");
static TYPE: Atom = Atom::new("type");
static OK: Atom = Atom::new("ok");

/// A Rust identifier as an atom (`r#type` as `type`).
fn ident_atom<W: TermWriter + ?Sized>(name: &str, w: &mut W) {
    let name = name.strip_prefix("r#").unwrap_or(name);
    match AtomName::new(name) {
        Ok(atom) => w.atom_name(atom),
        // Identifiers are far shorter than 255 characters; a binary keeps the term valid.
        Err(_) => w.binary(name.as_bytes()),
    }
}

impl ToTerm for CommandKind {
    /// The atom `sync`, `async` or `bytes`.
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        static SYNC: Atom = Atom::new("sync");
        static ASYNC: Atom = Atom::new("async");
        static BYTES: Atom = Atom::new("bytes");
        w.atom(match self {
            CommandKind::Sync => &SYNC,
            CommandKind::Async => &ASYNC,
            CommandKind::Bytes => &BYTES,
        });
    }
}

impl ToTerm for ArgInfo {
    /// `#{name => Atom, type => Binary}`.
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.map(2);
        w.atom(&NAME);
        ident_atom(self.name, w);
        w.atom(&TYPE);
        w.binary(self.ty.as_bytes());
    }
}

impl ToTerm for CommandInfo {
    /// `#{name => Atom, id => Integer, kind => sync | async | bytes, args => [Arg],
    /// ret => Binary, doc => Binary}`, each `Arg` as [`ArgInfo`] writes it.
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.map(6);
        w.atom(&NAME);
        ident_atom(self.name, w);
        w.atom(&ID);
        w.uint(u64::from(self.id));
        w.atom(&KIND);
        self.kind.write(w);
        w.atom(&ARGS);
        self.args.write(w);
        w.atom(&RET);
        w.binary(self.ret.as_bytes());
        w.atom(&DOC);
        w.binary(self.doc.as_bytes());
    }
}

/// Why a command's arguments were refused: a message naming the command, the argument and
/// what was expected. Becomes the `badarg` reason of a sync command ([`CallError`]) or of an
/// async one ([`Badarg`]).
#[doc(hidden)]
#[derive(Debug)]
pub struct ArgError(String);

impl From<ArgError> for CallError {
    fn from(e: ArgError) -> CallError {
        CallError::badarg(e.0)
    }
}

impl From<ArgError> for Badarg {
    fn from(e: ArgError) -> Badarg {
        Badarg::because(e.0)
    }
}

/// The arguments tuple's header: `arity` elements.
#[doc(hidden)]
#[inline]
pub fn arity(d: &mut Decoder<'_>, command: &str, arity: usize) -> Result<(), ArgError> {
    d.tuple_of(arity)
        .map_err(|e| not_a_tuple(command, arity, &e))
}

#[cold]
fn not_a_tuple(command: &str, arity: usize, e: &DecodeError) -> ArgError {
    ArgError(format!(
        "command {command} takes its {arity} argument{} as a tuple: {e}",
        if arity == 1 { "" } else { "s" }
    ))
}

/// Argument `index` (from 1), named `name`.
#[doc(hidden)]
#[inline]
pub fn arg<'a, T: FromTerm<'a>>(
    d: &mut Decoder<'a>,
    command: &str,
    index: usize,
    name: &str,
) -> Result<T, ArgError> {
    T::decode(d).map_err(|e| {
        ArgError(format!(
            "command {command}: {}",
            e.context(format!("argument {index}, `{name}`"))
        ))
    })
}

/// Nothing may follow the arguments tuple.
#[doc(hidden)]
#[inline]
pub fn end(d: &Decoder<'_>, command: &str) -> Result<(), ArgError> {
    d.finish().map_err(|e| trailing(command, &e))
}

#[cold]
fn trailing(command: &str, e: &DecodeError) -> ArgError {
    ArgError(format!("command {command}: {e}"))
}

/// The answer of a `port_call` with a number that is no sync command of the driver.
#[doc(hidden)]
#[cold]
pub fn unknown(id: u32) -> CallError {
    CallError::badarg(format!(
        "no sync command numbered {id} (erldrv:commands(Port) lists the driver's commands)"
    ))
}

/// The answer of a request with a number that is no async command of a driver that takes
/// requests for its commands only (it writes no `control`).
#[doc(hidden)]
#[cold]
pub fn unknown_async(id: u32) -> Badarg {
    Badarg::because(format!(
        "no async command numbered {id} (erldrv:commands(Port) lists the driver's commands)"
    ))
}

/// A sync command's result as the caller receives it: `ok` for `()`, any other value as
/// itself (a `Result` is `{ok, V}` or `{error, E}`, and `Ok(())` is `ok`).
#[doc(hidden)]
#[inline]
pub fn write_reply<T: ToTerm + ?Sized, W: TermWriter + ?Sized>(value: &T, w: &mut W) {
    if value.is_unit() {
        w.atom(&OK);
    } else {
        value.write(w);
    }
}

/// Where a sync command writes its result: the `port_call` reply, after the version byte.
/// [`reply`] starts it again when the result holds a [`Pid`](crate::Pid) or
/// [`PortId`](crate::PortId), which only a message can carry.
#[doc(hidden)]
pub trait SyncOut: TermWriter {
    /// Forgets everything written after the version byte.
    fn restart(&mut self);
}

impl SyncOut for crate::term::Encoder<crate::reply::CallOut> {
    #[inline]
    fn restart(&mut self) {
        self.sink().truncate(1);
    }
}

/// A sync command's result as its caller receives it: `ok` for `()`, any other value as
/// itself (a `Result` is `{ok, V}` or `{error, E}`, and `Ok(())` is `ok`).
///
/// A result holding a VM handle (a [`Pid`](crate::Pid) or [`PortId`](crate::PortId), which
/// the external format cannot carry) goes to the caller as the message
/// `{erldrv_reply, Port, Value}` instead, built by the term builder, and the `port_call`
/// reply is `{erldrv_reply, message}`: `erldrv:command/3` takes the message and returns
/// `Value`. The message is in the caller's queue before `port_call` returns.
///
/// # Errors
/// The message could not be sent (the caller has exited): `badarg` for a caller that is
/// not there to see it.
#[doc(hidden)]
#[inline]
pub fn reply<T: ToTerm + ?Sized, W: SyncOut + ?Sized>(
    value: &T,
    port: &Port<'_>,
    out: &mut W,
) -> Result<(), CallError> {
    if value.is_unit() {
        out.atom(&OK);
        return Ok(());
    }
    let mut watch = Watch {
        out: &mut *out,
        handle: false,
    };
    value.write(&mut watch);
    if watch.handle {
        reply_by_message(value, port, out)
    } else {
        Ok(())
    }
}

/// The result as a message to the caller, the reply saying so (see [`reply`]).
#[cold]
#[inline(never)]
fn reply_by_message<T: ToTerm + ?Sized, W: SyncOut + ?Sized>(
    value: &T,
    port: &Port<'_>,
    out: &mut W,
) -> Result<(), CallError> {
    static ERLDRV_REPLY: Atom = Atom::new("erldrv_reply");
    static MESSAGE: Atom = Atom::new("message");
    out.restart();
    port.send_term(port.caller(), &(&ERLDRV_REPLY, port.id(), value))
        .map_err(|e| {
            CallError::badarg(format!("the result could not be sent to the caller: {e}"))
        })?;
    (&ERLDRV_REPLY, &MESSAGE).write(out);
    Ok(())
}

/// Writes through to `out`, noting a [`Pid`](crate::Pid) or [`PortId`](crate::PortId)
/// instead of writing it (a `[]` keeps the term whole): the external format has no
/// encoding for them, so the result goes by message.
struct Watch<'o, W: ?Sized> {
    out: &'o mut W,
    handle: bool,
}

impl<W: TermWriter + ?Sized> TermWriter for Watch<'_, W> {
    #[inline(always)]
    fn int(&mut self, v: i64) {
        self.out.int(v);
    }
    #[inline(always)]
    fn uint(&mut self, v: u64) {
        self.out.uint(v);
    }
    #[inline(always)]
    fn big(&mut self, negative: bool, magnitude_le: &[u8]) {
        self.out.big(negative, magnitude_le);
    }
    #[inline(always)]
    fn float(&mut self, v: f64) {
        self.out.float(v);
    }
    #[inline(always)]
    fn atom(&mut self, atom: &Atom) {
        self.out.atom(atom);
    }
    #[inline(always)]
    fn atom_name(&mut self, atom: AtomName<'_>) {
        self.out.atom_name(atom);
    }
    #[inline(always)]
    fn binary(&mut self, bytes: &[u8]) {
        self.out.binary(bytes);
    }
    #[inline(always)]
    fn shared_binary(&mut self, binary: &Binary, offset: usize, len: usize) {
        self.out.shared_binary(binary, offset, len);
    }
    #[inline(always)]
    fn bitstring(&mut self, bytes: &[u8], bits: u8) {
        self.out.bitstring(bytes, bits);
    }
    #[inline(always)]
    fn byte_list(&mut self, bytes: &[u8]) {
        self.out.byte_list(bytes);
    }
    #[inline(always)]
    fn tuple(&mut self, arity: usize) {
        self.out.tuple(arity);
    }
    #[inline(always)]
    fn list(&mut self, len: usize) {
        self.out.list(len);
    }
    #[inline(always)]
    fn nil(&mut self) {
        self.out.nil();
    }
    #[inline(always)]
    fn map(&mut self, pairs: usize) {
        self.out.map(pairs);
    }
    #[inline(always)]
    fn raw(&mut self, term: crate::term::RawTerm<'_>) {
        self.out.raw(term);
    }
    #[inline]
    fn pid(&mut self, _: crate::ids::Pid) {
        self.handle = true;
        self.out.nil();
    }
    #[inline]
    fn port(&mut self, _: crate::ids::PortId) {
        self.handle = true;
        self.out.nil();
    }
}

/// The value in an async command's `{ok, Value}`: `()` is `ok`, anything else itself.
#[doc(hidden)]
pub struct Value<T>(pub T);

impl<T: ToTerm> ToTerm for Value<T> {
    #[inline]
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        write_reply(&self.0, w);
    }
}

/// An async command that returns `Result<T, E>`. (The bounds are here, and not only on
/// [`spawn`], so that a result type that is not a term is reported at the return type.)
#[doc(hidden)]
#[inline]
pub fn from_result<T: ToTerm, E: ToTerm>(result: Result<T, E>) -> Result<Value<T>, E> {
    result.map(Value)
}

/// An async command that returns a plain value: always `{ok, Value}`.
#[doc(hidden)]
#[inline]
pub fn from_value<T: ToTerm>(value: T) -> Result<Value<T>, NoError> {
    Ok(Value(value))
}

/// The error of an async command that cannot fail.
#[doc(hidden)]
pub enum NoError {}

impl ToTerm for NoError {
    fn write<W: TermWriter + ?Sized>(&self, _: &mut W) {
        match *self {}
    }
}

/// What a bytes command returns, written to the `port_control` reply as a binary.
#[doc(hidden)]
pub trait BytesReply {
    fn put(self, reply: &mut Reply<'_>);
}

impl BytesReply for Vec<u8> {
    #[inline]
    fn put(self, reply: &mut Reply<'_>) {
        reply.extend_from_slice(&self);
    }
}

impl BytesReply for &[u8] {
    #[inline]
    fn put(self, reply: &mut Reply<'_>) {
        reply.extend_from_slice(self);
    }
}

impl BytesReply for Binary {
    #[inline]
    fn put(self, reply: &mut Reply<'_>) {
        reply.set_binary(self);
    }
}

/// Starts async command `command` for the request this `control` call carries: decodes the
/// arguments from `input` (`term_to_binary` of the arguments tuple) with `decode`, then
/// runs `run` on the worker pool, which answers the caller `{ok, Value}` or
/// `{error, Reason}` (see [`Request::spawn`](crate::Request::spawn)).
///
/// # Errors
/// The arguments did not decode, or the call carries no request (a plain `port_control`):
/// the caller gets `{error, {badarg, Message}}`.
#[doc(hidden)]
pub fn spawn<A, T, E>(
    port: &Port<'_>,
    command: &str,
    input: &[u8],
    decode: impl for<'a> FnOnce(&mut Decoder<'a>) -> Result<A, ArgError>,
    run: impl FnOnce(&Cancel, A) -> Result<T, E> + Send + 'static,
) -> Result<(), Badarg>
where
    A: Send + 'static,
    T: ToTerm,
    E: ToTerm,
{
    let input: Cow<'_, [u8]> =
        decompress(input).map_err(|e| Badarg::because(format!("command {command}: {e}")))?;
    let mut d =
        Decoder::new(&input).map_err(|e| Badarg::because(format!("command {command}: {e}")))?;
    let args = decode(&mut d)?;
    end(&d, command)?;
    let request = port.request().ok_or_else(|| {
        Badarg::because(format!(
            "command {command} is async: call it with erldrv:command_async/4"
        ))
    })?;
    // Busy: the request has been answered `{error, busy}`.
    let _ = request.spawn(move |cancel| run(cancel, args));
    Ok(())
}

/// The interface of the driver's commands, for `erldrv:interface/1`: `{ok, Interface}` or
/// `{error, Message}` (two Rust types of one type name).
pub(crate) fn write_interface(commands: &[CommandInfo], reply: &mut Reply<'_>) {
    let answer = interface::Answer(interface::Interface::of(commands).map_err(|e| e.to_string()));
    let mut out = crate::term::Encoder::new(reply);
    out.version();
    answer.write(&mut out);
}

/// A client's source, for `erldrv:client_source/4`: `{ok, Source}` or `{error, Message}`.
pub(crate) fn write_client(commands: &[CommandInfo], input: &[u8], reply: &mut Reply<'_>) {
    let source = client_request(input).and_then(|(language, options)| {
        client::render(language, commands, &options).map_err(|e| e.to_string())
    });
    let answer = interface::Answer(source.map(Text));
    let mut out = crate::term::Encoder::new(reply);
    out.version();
    answer.write(&mut out);
}

/// Text written as a binary.
struct Text(String);

impl ToTerm for Text {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.binary(self.0.as_bytes());
    }
}

/// `{erlang | elixir, Module, App, Driver}`, names as binaries.
fn client_request(input: &[u8]) -> Result<(client::Language, client::Options), String> {
    let bad = |e: &dyn std::fmt::Display| {
        format!("expected {{erlang | elixir, Module, App, Driver}}, names as binaries: {e}")
    };
    let (language, module, app, driver): (AtomName<'_>, &str, &str, &str) =
        crate::term::from_slice(input).map_err(|e| bad(&e))?;
    let language = match language.as_str() {
        Some("erlang") => client::Language::Erlang,
        Some("elixir") => client::Language::Elixir,
        _ => return Err(bad(&format!("no client language {language:?}"))),
    };
    Ok((language, client::Options::new(module, app, driver)))
}

/// The table of the driver's commands, for `erldrv:commands/1`: the list, in the external
/// format.
pub(crate) fn write_table(commands: &[CommandInfo], reply: &mut Reply<'_>) {
    let mut out = crate::term::Encoder::new(reply);
    out.version();
    commands.write(&mut out);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The macro computes the same numbers at compile time (`erldrv-macros`, the same
    /// values in its tests): a change here renumbers every command of every driver.
    #[test]
    fn numbers_are_fnv1a_folded_past_the_hand_written_range() {
        assert_eq!(
            id_of(""),
            HASHED_FROM + 0x811c_9dc5 % (RESERVED - HASHED_FROM)
        );
        assert_eq!(id_of("add"), 0x3c39_1274);
        assert_eq!(id_of("echo"), 0xd59d_d484);
        for name in ["a", "add", "get", "put", "lookup", "x".repeat(300).as_str()] {
            let id = id_of(name);
            assert!((HASHED_FROM..RESERVED).contains(&id), "{name}: {id:#x}");
        }
    }

    #[test]
    fn the_table_as_a_term() {
        static ARGS: [ArgInfo; 2] = [
            ArgInfo::new("a", "i64", input_of::<i64>),
            ArgInfo::new("r#type", "&str", input_of::<&str>),
        ];
        let info = CommandInfo::new(
            "add",
            7,
            CommandKind::Async,
            &ARGS,
            "Result<i64, String>",
            output_of::<Result<i64, String>>,
            true,
            "Adds.",
        );
        let bytes = crate::term::to_vec(&[info][..]);
        let term: crate::term::OwnedTerm = crate::term::from_slice(&bytes).unwrap();
        let shown = format!("{term:?}");
        for part in [
            "name => add",
            "id => 7",
            "kind => async",
            "#{name => a,type => <<\"i64\">>}",
            "#{name => type,type => <<\"&str\">>}",
            "ret => <<\"Result<i64, String>\">>",
            "doc => <<\"Adds.\">>",
        ] {
            assert!(
                shown.replace(", ", ",").contains(&part.replace(", ", ",")),
                "{part} not in {shown}"
            );
        }
    }
}
