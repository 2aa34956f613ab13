//! Type descriptions: the Erlang shape of a Rust type, as [`ToTerm`](super::ToTerm) writes
//! it and [`FromTerm`](super::FromTerm) reads it, for typespec generators and interface
//! checks.
//!
//! [`TermType`] gives a [`TypeDesc`] per direction: [`output_type`](TermType::output_type)
//! is what `ToTerm` writes, [`input_type`](TermType::input_type) what `FromTerm` accepts,
//! which can be more (a `Vec<u8>` is written as a binary but also read from a list of
//! bytes). A [`TypeDesc`] renders as Erlang typespec text ([`TypeDesc::to_erlang`]) or
//! Elixir typespec text ([`TypeDesc::to_elixir`]), checks a term
//! ([`TypeDesc::matches`]), is itself a term ([`ToTerm`](super::ToTerm), to serve it to an
//! Erlang-side generator) and has a stable [`fingerprint`](TypeDesc::fingerprint).
//!
//! `#[derive(TermType)]` describes a type that derives `ToTerm`/`FromTerm`, with the same
//! `#[term(...)]` options; the description is a *named* type ([`Named`]) whose definition
//! [`declarations`] collects, to write `-type point() :: ...` and `@type point :: ...`.
//!
//! # The mapping
//! Each row is what the codec really does: a test encodes values of every row and checks
//! them with [`TypeDesc::matches`], and another compiles the rendered types with `erlc`.
//! Where reading accepts more than writing produces, the row says "reads".
//!
//! | Rust | Erlang typespec | Elixir typespec |
//! |------|-----------------|-----------------|
//! | `u8` | `0..255` | `0..255` |
//! | `i8` | `-128..127` | `-128..127` |
//! | `u16`, `i16`, `u32`, `i32` | `0..65535`, `-32768..32767`, `0..4294967295`, `-2147483648..2147483647` | the same |
//! | `u64`, `usize` (64-bit) | `0..18446744073709551615` | the same |
//! | `i64`, `isize` (64-bit) | `-9223372036854775808..9223372036854775807` | the same |
//! | `u128`, `i128` | `0..340282366920938463463374607431768211455`, `-170141183460469231731687303715884105728..170141183460469231731687303715884105727` | the same |
//! | [`Integer`](super::Integer), [`BigInt`](super::BigInt) | `integer()` | `integer()` |
//! | `char` | `0..1114111` | `0..1114111` |
//! | `f64`, `f32` | `float()` | `float()` |
//! | `bool` | `boolean()` | `boolean()` |
//! | `&str`, `String`, `Cow<str>` | `binary()` | `String.t()` |
//! | `&[u8]`, `[u8; N]` | `binary()` | `binary()` |
//! | `Vec<u8>` | `binary()`; reads `binary() \| [0..255]` | `binary()`; reads `binary() \| [0..255]` |
//! | `Vec<T>`, `[T]`, `[T; N]` | `[T]` | `[t]` |
//! | `()` | `{}` | `{}` |
//! | `(A, B)` … 12-tuples | `{A, B}` | `{a, b}` |
//! | `Option<T>` | `undefined \| T` | `:undefined \| t` |
//! | [`OrNil<T>`] | `nil \| T` | `nil \| t` |
//! | `Result<T, E>` | `{ok, T} \| {error, E}` | `{:ok, t} \| {:error, e}` |
//! | `Result<(), E>` | `ok \| {error, E}`; reads `{ok, {}}` too | `:ok \| {:error, e}`; reads `{:ok, {}}` too |
//! | `HashMap<K, V>`, `BTreeMap<K, V>` | `#{K => V}` | `%{optional(k) => v}` |
//! | [`Atom`](super::Atom), [`AtomName`](super::AtomName) | `atom()` | `atom()` |
//! | [`Binary`](crate::Binary) | `binary()` | `binary()` |
//! | [`Term`](super::Term), [`RawTerm`](super::RawTerm), [`OwnedTerm`](super::OwnedTerm) | `term()` | `term()` |
//! | [`Pid`](crate::Pid), [`PortId`](crate::PortId) (written only) | `pid()`, `port()` | `pid()`, `port()` |
//! | `Box<T>`, `Rc<T>`, `Arc<T>`, `&T`, `Cow<T>` | as `T` | as `T` |
//! | `#[derive(TermType)] struct Point { x: i32, y: i32 }` | `point()`, with `-type point() :: #{x := -2147483648..2147483647, y := ...}.` | `point()`, with `@type point :: %{x: -2147483648..2147483647, y: ...}` |
//! | the same, a field with `#[term(default)]` | `#{x := ..., y => ...}` when read | `%{required(:x) => ..., optional(:y) => ...}` when read |
//! | the same with `#[term(elixir_struct = "MyApp.Point")]` | `#{'__struct__' := 'Elixir.MyApp.Point', x := ..., y := ...}`; reads the key `=>` (may be missing) | `MyApp.Point.t()`, the module's `@type t :: %__MODULE__{x: ..., y: ...}`; reads `%{optional(:__struct__) => MyApp.Point, ...}` |
//! | `#[term(record)]`, `#[term(tuple)]`, tuple structs | `{point, X, Y}`, `{X, Y}` | `{:point, x, y}`, `{x, y}` |
//! | unit struct `Ping`, unit variant `NotFound` | `ping`, `not_found` | `:ping`, `:not_found` |
//! | enum | the union of its variants: `stop \| {get, 0..4294967295} \| binary()` | `:stop \| {:get, 0..4294967295} \| binary()` |
//!
//! Strings are `binary()` in Erlang, not `unicode:unicode_binary()`: the same type, but a
//! remote one, which dialyzer takes as any term when its PLT lacks `stdlib`.
//!
//! Integer types of fixed width keep their exact range: dialyzer widens ranges wider than a
//! byte or a character to `non_neg_integer()`/`integer()` itself, and the range still
//! documents the limit a caller gets `badarg` beyond. `usize`/`isize` have the width of the
//! target the driver is built for.
//!
//! # `undefined` or `nil`
//! `Option<T>` writes `None` as `undefined`, the Erlang convention, and reads only
//! `undefined` as `None`. Elixir code expects `nil`: a type meant for Elixir callers uses
//! [`OrNil<T>`], which writes and reads `nil` instead. The choice is in the Rust type, per
//! field or argument, so the codec and the description never disagree:
//! [`TypeDesc::Optional`] carries the atom ([`NoneAtom`]), and both renderers print that atom
//! (`undefined | T` and `:undefined | t`, or `nil | T` and `nil | t`).
//!
//! # Named types
//! A derived type is described as a reference, [`TypeDesc::Named`], rendered `point()` in
//! both languages; [`declarations`] walks descriptions and returns each named type they
//! reach once, with its definition and doc comment ([`Declaration::to_erlang`],
//! [`Declaration::to_elixir`]). When a type reads more than it writes (a field with
//! `#[term(default)]`, a `Vec<u8>`), its input is a second declaration, `point_input()`.
//!
//! Generic derived types are described inline (their instances differ), and a generic type
//! that contains itself cannot be described: asking for it panics with a message that
//! names it.
//!
//! # Renderers
//! They are plain Rust in this crate, behind no feature: a build script, an `xtask` or a
//! test of the driver crate calls them on the driver's own types, with no VM; a running
//! driver can also send its descriptions as terms to a generator written in Erlang.
//!
//! ```
//! use erldrv::term::{TermType, TypeDesc, declarations};
//!
//! /// A point on the screen.
//! #[derive(erldrv::term::ToTerm, erldrv::term::FromTerm, TermType)]
//! struct Point {
//!     x: i32,
//!     y: i32,
//! }
//!
//! let reply = <Result<Vec<Point>, String>>::output_type();
//! assert_eq!(reply.to_erlang(), "{ok, [point()]} | {error, binary()}");
//! assert_eq!(reply.to_elixir(), "{:ok, [point()]} | {:error, String.t()}");
//!
//! let decls = declarations([&reply])?;
//! assert_eq!(
//!     decls[0].to_erlang(),
//!     "%% A point on the screen.\n\
//!      -type point() :: #{x := -2147483648..2147483647, y := -2147483648..2147483647}."
//! );
//! assert_eq!(
//!     decls[0].to_elixir(),
//!     "@typedoc \"\"\"\nA point on the screen.\n\"\"\"\n\
//!      @type point :: %{x: -2147483648..2147483647, y: -2147483648..2147483647}"
//! );
//! # Ok::<(), erldrv::term::Conflict>(())
//! ```

mod check;
pub(crate) mod derive;
mod impls;
mod render;
mod wire;

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::hash::{Hash, Hasher};

pub use impls::OrNil;
pub use render::{Conflict, Declaration, declarations};
pub(crate) use render::{elixir_atom, elixir_heredoc_line, erlang_atom};
pub use wire::{Fnv1a, fingerprint};

/// The Erlang shape of a Rust type, as a tree.
///
/// Made by [`TermType`] (for std types and derived ones) or by hand, for a hand-written
/// [`ToTerm`](super::ToTerm)/[`FromTerm`](super::FromTerm). See the
/// [module documentation](self) for the mapping.
///
/// ```
/// use erldrv::term::{TermType, TypeDesc};
///
/// assert_eq!(<(u8, bool)>::output_type(), TypeDesc::Tuple(vec![TypeDesc::int(0, 255u8), TypeDesc::Boolean]));
/// assert_eq!(<Option<String>>::output_type().to_erlang(), "undefined | binary()");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TypeDesc {
    /// Any term: `term()`.
    Any,
    /// An integer between two bounds, each included; `None` for no bound.
    Integer {
        /// The smallest value, if any.
        min: Option<Int>,
        /// The largest value, if any.
        max: Option<Int>,
    },
    /// A float: `float()`.
    Float,
    /// `true` or `false`: `boolean()`.
    Boolean,
    /// Any atom: `atom()`.
    Atom,
    /// One atom, by name: `ok`, `not_found`.
    Literal(Cow<'static, str>),
    /// A binary, any bytes: `binary()`.
    Binary,
    /// A binary holding UTF-8 text: `binary()` in Erlang (`unicode:unicode_binary()` is the
    /// same type, but dialyzer takes it as any term when its PLT lacks `stdlib`), `String.t()`
    /// in Elixir.
    Utf8,
    /// A proper list of elements of one type, possibly empty: `[T]`.
    List(Box<TypeDesc>),
    /// A tuple of these elements: `{A, B}`.
    Tuple(Vec<TypeDesc>),
    /// A map of any size, keys and values of one type each: `#{K => V}`.
    Map(Box<TypeDesc>, Box<TypeDesc>),
    /// A map with atom keys, each key once and no other (a derived struct):
    /// `#{name := T, age => U}`.
    Fields(Vec<MapField>),
    /// A tuple whose first element is the atom `tag` (a record, a tagged enum variant):
    /// `{tag, T1, T2}`. The fields have names when the Rust fields do.
    Record {
        /// The first element.
        tag: Cow<'static, str>,
        /// The elements after the tag.
        fields: Vec<RecordField>,
    },
    /// A value, or an atom that stands for no value: `undefined | T`.
    Optional(Box<TypeDesc>, NoneAtom),
    /// Any of these: `A | B`.
    Union(Vec<TypeDesc>),
    /// A process identifier: `pid()`.
    Pid,
    /// A port identifier: `port()`.
    Port,
    /// A reference: `reference()`.
    Reference,
    /// A named type (a derived one), defined once by [`declarations`]: `point()`.
    Named(Named),
}

/// One key of [`TypeDesc::Fields`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MapField {
    /// The key, an atom.
    pub key: Cow<'static, str>,
    /// The value's type.
    pub value: TypeDesc,
    /// Whether the key must be there (`:=`); an optional key (`=>`) may be missing.
    pub required: bool,
}

/// One element of [`TypeDesc::Record`] after the tag.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RecordField {
    /// The Rust field's name, if the field has one (for `-record` declarations).
    pub name: Option<Cow<'static, str>>,
    /// The element's type.
    pub value: TypeDesc,
}

/// The atom that stands for no value in [`TypeDesc::Optional`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NoneAtom {
    /// `undefined`: Erlang's convention, written by `Option<T>`.
    Undefined,
    /// `nil`: Elixir's, written by [`OrNil<T>`].
    Nil,
}

impl NoneAtom {
    /// The atom's name.
    pub const fn name(self) -> &'static str {
        match self {
            NoneAtom::Undefined => "undefined",
            NoneAtom::Nil => "nil",
        }
    }
}

/// Which way a value goes: written by [`ToTerm`](super::ToTerm) (`Output`) or read by
/// [`FromTerm`](super::FromTerm) (`Input`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dir {
    /// Read from a term: what a driver accepts.
    Input,
    /// Written as a term: what a driver answers.
    Output,
}

/// An integer bound of [`TypeDesc::Integer`]: any `i128` or `u128`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Int {
    negative: bool,
    magnitude: u128,
}

impl Int {
    /// `v` as a bound.
    pub const fn signed(v: i128) -> Int {
        Int {
            negative: v < 0,
            magnitude: v.unsigned_abs(),
        }
    }

    /// `v` as a bound.
    pub const fn unsigned(v: u128) -> Int {
        Int {
            negative: false,
            magnitude: v,
        }
    }

    /// Whether the bound is below zero.
    pub const fn is_negative(self) -> bool {
        self.negative
    }

    /// The bound as an `i128`, if it fits.
    pub fn to_i128(self) -> Option<i128> {
        if self.negative {
            0i128.checked_sub_unsigned(self.magnitude)
        } else {
            i128::try_from(self.magnitude).ok()
        }
    }
}

impl Ord for Int {
    fn cmp(&self, other: &Int) -> std::cmp::Ordering {
        match (self.negative, other.negative) {
            (false, false) => self.magnitude.cmp(&other.magnitude),
            (true, true) => other.magnitude.cmp(&self.magnitude),
            (false, true) => std::cmp::Ordering::Greater,
            (true, false) => std::cmp::Ordering::Less,
        }
    }
}

impl PartialOrd for Int {
    fn partial_cmp(&self, other: &Int) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Int {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negative {
            f.write_str("-")?;
        }
        write!(f, "{}", self.magnitude)
    }
}

impl fmt::Debug for Int {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

macro_rules! int_from {
    ($($t:ty => $f:ident),*) => {$(
        impl From<$t> for Int {
            fn from(v: $t) -> Int {
                Int::$f(v.into())
            }
        }
    )*};
}
int_from!(i8 => signed, i16 => signed, i32 => signed, i64 => signed, i128 => signed,
    u8 => unsigned, u16 => unsigned, u32 => unsigned, u64 => unsigned, u128 => unsigned);

/// A named type: a reference to a definition made once, by the type's
/// [`TermType`] (`#[derive(TermType)]` makes them).
///
/// Two references are equal when they name the same type in the same direction, or in
/// either direction when the type reads exactly what it writes.
#[derive(Clone, Copy)]
pub struct Named {
    name: &'static str,
    rust: &'static str,
    doc: &'static str,
    dir: Dir,
    define: fn(Dir) -> TypeDesc,
}

impl Named {
    /// A reference to the type `name` (an Erlang type name, snake_case), known in Rust by
    /// the path `rust` (which tells two types of one name apart), documented by `doc`, in the direction `dir`. `define` gives its definition
    /// in each direction; it is called only when the definition is needed, so a type may
    /// contain itself.
    ///
    /// ```
    /// use erldrv::term::{Dir, Named, TermType, TypeDesc};
    ///
    /// // A hand-written ToTerm/FromTerm that writes a list of names.
    /// struct Names(Vec<String>);
    ///
    /// impl TermType for Names {
    ///     fn output_type() -> TypeDesc {
    ///         TypeDesc::Named(Named::new("names", "Names", "Some names.", Dir::Output, |dir| {
    ///             TypeDesc::List(Box::new(String::term_type(dir)))
    ///         }))
    ///     }
    /// }
    ///
    /// assert_eq!(Names::output_type().to_erlang(), "names()");
    /// ```
    pub const fn new(
        name: &'static str,
        rust: &'static str,
        doc: &'static str,
        dir: Dir,
        define: fn(Dir) -> TypeDesc,
    ) -> Named {
        Named {
            name,
            rust,
            doc,
            dir,
            define,
        }
    }

    /// The type's name as written (`point`), before any `_input` suffix.
    pub const fn base_name(&self) -> &'static str {
        self.name
    }

    /// The name the reference renders: `point`, or `point_input` for the input of a type
    /// that reads more than it writes.
    pub fn name(&self) -> Cow<'static, str> {
        if self.dir == Dir::Input && self.differs() {
            Cow::Owned(format!("{}_input", self.name))
        } else {
            Cow::Borrowed(self.name)
        }
    }

    /// The Rust type's path (`my_drv::Point` for a derived type).
    pub const fn rust_name(&self) -> &'static str {
        self.rust
    }

    /// The Rust type's doc comment, one line per line.
    pub const fn doc(&self) -> &'static str {
        self.doc
    }

    /// The direction this reference is for.
    pub const fn dir(&self) -> Dir {
        self.dir
    }

    /// The definition in this reference's direction.
    pub fn definition(&self) -> TypeDesc {
        (self.define)(self.dir)
    }

    /// Whether the type reads something else than it writes. A type that contains itself
    /// is taken as the same in both directions where it recurs, so the answer is the
    /// largest consistent one.
    pub fn differs(&self) -> bool {
        thread_local! {
            static IN_PROGRESS: RefCell<Vec<(&'static str, &'static str)>> =
                const { RefCell::new(Vec::new()) };
        }
        let key = (self.name, self.rust);
        if IN_PROGRESS.with(|s| s.borrow().contains(&key)) {
            return false;
        }
        IN_PROGRESS.with(|s| s.borrow_mut().push(key));
        // Pops even if a definition panics (a recursive generic type), so the next
        // question on this thread starts clean.
        struct Pop;
        impl Drop for Pop {
            fn drop(&mut self) {
                IN_PROGRESS.with(|s| s.borrow_mut().pop());
            }
        }
        let _pop = Pop;
        (self.define)(Dir::Input) != (self.define)(Dir::Output)
    }
}

impl PartialEq for Named {
    fn eq(&self, other: &Named) -> bool {
        self.name == other.name
            && self.rust == other.rust
            && (self.dir == other.dir || !self.differs())
    }
}

impl Eq for Named {}

impl Hash for Named {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
        self.rust.hash(state);
    }
}

impl fmt::Debug for Named {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Named({} as {}, {:?})", self.rust, self.name, self.dir)
    }
}

impl TypeDesc {
    /// An integer from `min` to `max`, both included: `TypeDesc::int(0, 255u8)`.
    ///
    /// ```
    /// use erldrv::term::TypeDesc;
    /// assert_eq!(TypeDesc::int(-1, 1).to_erlang(), "-1..1");
    /// ```
    pub fn int(min: impl Into<Int>, max: impl Into<Int>) -> TypeDesc {
        TypeDesc::Integer {
            min: Some(min.into()),
            max: Some(max.into()),
        }
    }

    /// One atom: `TypeDesc::literal("ok")`.
    ///
    /// ```
    /// use erldrv::term::TypeDesc;
    /// assert_eq!(TypeDesc::literal("not found").to_erlang(), "'not found'");
    /// assert_eq!(TypeDesc::literal("not found").to_elixir(), ":\"not found\"");
    /// ```
    pub fn literal(name: impl Into<Cow<'static, str>>) -> TypeDesc {
        TypeDesc::Literal(name.into())
    }

    /// `{ok, T} | {error, E}`, or `ok | {error, E}` when `ok` is `None` (for `Ok(())`):
    /// the shape of `Result<T, E>`.
    ///
    /// ```
    /// use erldrv::term::TypeDesc;
    /// let r = TypeDesc::result(None, TypeDesc::Utf8);
    /// assert_eq!(r.to_elixir(), ":ok | {:error, String.t()}");
    /// assert_eq!(r.as_result(), Some((None, &TypeDesc::Utf8)));
    /// ```
    pub fn result(ok: Option<TypeDesc>, err: TypeDesc) -> TypeDesc {
        let ok = match ok {
            Some(t) => TypeDesc::Tuple(vec![TypeDesc::literal("ok"), t]),
            None => TypeDesc::literal("ok"),
        };
        TypeDesc::Union(vec![
            ok,
            TypeDesc::Tuple(vec![TypeDesc::literal("error"), err]),
        ])
    }

    /// If this is the shape [`result`](TypeDesc::result) makes: the value's type (`None`
    /// for a plain `ok`) and the reason's. For generators that turn a `Result` into a
    /// function that raises (`name!/n` in Elixir).
    pub fn as_result(&self) -> Option<(Option<&TypeDesc>, &TypeDesc)> {
        let TypeDesc::Union(alts) = self else {
            return None;
        };
        let [ok, TypeDesc::Tuple(err)] = alts.as_slice() else {
            return None;
        };
        let [TypeDesc::Literal(e), err] = err.as_slice() else {
            return None;
        };
        if e != "error" {
            return None;
        }
        match ok {
            TypeDesc::Literal(o) if o == "ok" => Some((None, err)),
            TypeDesc::Tuple(v) => match v.as_slice() {
                [TypeDesc::Literal(o), t] if o == "ok" => Some((Some(t), err)),
                _ => None,
            },
            _ => None,
        }
    }
}

/// A Rust type whose Erlang shape is known: what its [`ToTerm`](super::ToTerm) writes and
/// what its [`FromTerm`](super::FromTerm) reads, as [`TypeDesc`]s.
///
/// Implemented for the types the codec implements (see the [module documentation](self)),
/// and derived with `#[derive(TermType)]` next to `#[derive(ToTerm, FromTerm)]`. A
/// hand-written `ToTerm`/`FromTerm` gets its own impl: [`output_type`](Self::output_type)
/// always, [`input_type`](Self::input_type) when reading accepts more than writing
/// produces. The description must not lie: [`TypeDesc::matches`] in a test of the impl
/// catches one that does.
///
/// ```
/// use erldrv::term::{Decoder, FromTerm, TermType, TermWriter, ToTerm, TypeDesc};
///
/// /// Celsius, written as an integer, read from an integer or a float.
/// struct Celsius(i32);
///
/// impl ToTerm for Celsius {
///     fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
///         self.0.write(w)
///     }
/// }
///
/// impl TermType for Celsius {
///     fn output_type() -> TypeDesc {
///         i32::output_type()
///     }
///     fn input_type() -> TypeDesc {
///         TypeDesc::Union(vec![i32::input_type(), TypeDesc::Float])
///     }
/// }
///
/// assert_eq!(Celsius::input_type().to_erlang(), "-2147483648..2147483647 | float()");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no Erlang type description: it does not implement `TermType`",
    label = "no `TermType` for this type",
    note = "derive it with `#[derive(TermType)]` next to `#[derive(ToTerm, FromTerm)]`, or implement `TermType` by hand beside a hand-written `ToTerm`/`FromTerm`: command arguments and results need it for the generated clients' typespecs"
)]
pub trait TermType {
    /// What [`ToTerm`](super::ToTerm) writes.
    fn output_type() -> TypeDesc;

    /// What [`FromTerm`](super::FromTerm) reads; by default, what `ToTerm` writes.
    fn input_type() -> TypeDesc {
        Self::output_type()
    }

    /// [`input_type`](Self::input_type) or [`output_type`](Self::output_type).
    ///
    /// ```
    /// use erldrv::term::{Dir, TermType};
    /// assert_eq!(<Vec<u8>>::term_type(Dir::Output).to_erlang(), "binary()");
    /// assert_eq!(<Vec<u8>>::term_type(Dir::Input).to_erlang(), "binary() | [0..255]");
    /// ```
    fn term_type(dir: Dir) -> TypeDesc {
        match dir {
            Dir::Input => Self::input_type(),
            Dir::Output => Self::output_type(),
        }
    }

    /// What a slice or `Vec` of `Self` is, in `dir` (a list; `u8` says binary, as the
    /// codec does).
    #[doc(hidden)]
    fn list_type(dir: Dir) -> TypeDesc {
        TypeDesc::List(Box::new(Self::term_type(dir)))
    }

    /// The definition of a named type, in `dir`; by default its description (for a type
    /// that is not named).
    #[doc(hidden)]
    fn definition(dir: Dir) -> TypeDesc {
        Self::term_type(dir)
    }
}

/// Describes a generic derived type inline: `definition(dir)`, refusing a type that
/// contains itself (its description would never end). Used by `#[derive(TermType)]`.
#[doc(hidden)]
pub fn inline_generic(rust: &'static str, dir: Dir, definition: fn(Dir) -> TypeDesc) -> TypeDesc {
    thread_local! {
        static IN_PROGRESS: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
    }
    let again = IN_PROGRESS.with(|s| {
        let mut s = s.borrow_mut();
        let again = s.contains(&rust);
        if !again {
            s.push(rust);
        }
        again
    });
    if again {
        IN_PROGRESS.with(|s| s.borrow_mut().clear());
        panic!(
            "{rust} contains itself and is generic: its type cannot be described \
             (a generic derived type is described inline); make the recursive type non-generic"
        );
    }
    struct Pop;
    impl Drop for Pop {
        fn drop(&mut self) {
            IN_PROGRESS.with(|s| s.borrow_mut().pop());
        }
    }
    let _pop = Pop;
    definition(dir)
}
