//! Typespec text: [`TypeDesc`] as an Erlang type (`{ok, 0..255} | {error, binary()}`) and
//! as an Elixir type (`{:ok, 0..255} | {:error, binary()}`), and the declarations of the
//! named types descriptions reach.

use std::borrow::Cow;
use std::fmt::{self, Write};

use super::{Dir, Int, Named, TypeDesc};

/// Erlang's reserved words: an atom spelt like one must be quoted.
const ERLANG_RESERVED: &[&str] = &[
    "after", "and", "andalso", "band", "begin", "bnot", "bor", "bsl", "bsr", "bxor", "case",
    "catch", "cond", "div", "else", "end", "fun", "if", "let", "maybe", "not", "of", "or",
    "orelse", "receive", "rem", "try", "when", "xor",
];

/// The atom as Erlang source writes it: bare, or quoted.
pub(crate) fn erlang_atom(name: &str) -> Cow<'_, str> {
    let bare = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '@')
        && !ERLANG_RESERVED.contains(&name);
    if bare {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() + 2);
    out.push('\'');
    for c in name.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    Cow::Owned(out)
}

/// Whether Elixir writes the atom without quotes (`:ok`, `ok:`).
fn elixir_bare(name: &str) -> bool {
    let body = name.strip_suffix(['?', '!']).unwrap_or(name);
    body.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && body
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '@')
}

/// `name` in double quotes, as Elixir reads it back: no escape or interpolation left.
fn elixir_quoted(name: &str, out: &mut String) {
    out.push('"');
    for c in name.chars() {
        match c {
            '"' | '\\' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The atom as Elixir source writes it: `:ok`, `:"not found"`, and `nil`, `true`, `false`
/// bare.
pub(crate) fn elixir_atom(name: &str) -> String {
    if matches!(name, "nil" | "true" | "false") {
        return name.to_owned();
    }
    let mut out = String::from(":");
    if elixir_bare(name) {
        out.push_str(name);
    } else {
        elixir_quoted(name, &mut out);
    }
    out
}

/// The Erlang type name of a reference: `point()`.
fn erlang_type_name(n: &Named) -> String {
    format!("{}()", erlang_atom(&n.name()))
}

/// Which language the text is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lang<'p> {
    Erlang,
    /// Elixir; named types qualified with this module (`MyApp.Kv.point()`) when given, for
    /// text inside a nested module.
    Elixir(Option<&'p str>),
}

/// The alias of an atom that names an Elixir module (`Elixir.MyApp.Point` → `MyApp.Point`).
pub(crate) fn elixir_module(atom: &str) -> Option<&str> {
    let alias = atom.strip_prefix("Elixir.")?;
    let ok = alias.split('.').all(|part| {
        part.starts_with(|c: char| c.is_ascii_uppercase())
            && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    });
    ok.then_some(alias)
}

impl TypeDesc {
    /// The Elixir struct this describes, by its module's alias (`MyApp.Point`): a
    /// [`Fields`](TypeDesc::Fields) whose first key is `__struct__`, holding a module's atom,
    /// as `#[term(elixir_struct = "MyApp.Point")]` describes a struct.
    ///
    /// ```
    /// use erldrv::term::{TermType, TypeDesc};
    ///
    /// #[derive(erldrv::term::ToTerm, erldrv::term::FromTerm, TermType)]
    /// #[term(elixir_struct = "MyApp.Point")]
    /// struct Point { x: i32, y: i32 }
    ///
    /// let TypeDesc::Named(n) = Point::output_type() else { unreachable!() };
    /// assert_eq!(n.definition().elixir_struct(), Some("MyApp.Point"));
    /// ```
    pub fn elixir_struct(&self) -> Option<&str> {
        let TypeDesc::Fields(fields) = self else {
            return None;
        };
        match fields.first() {
            Some(f) if f.key == "__struct__" => match &f.value {
                TypeDesc::Literal(atom) => elixir_module(atom),
                _ => None,
            },
            _ => None,
        }
    }
}

fn integer(min: Option<Int>, max: Option<Int>, out: &mut String) {
    match (min, max) {
        (Some(lo), Some(hi)) => {
            let _ = write!(out, "{lo}..{hi}");
        }
        (Some(lo), None) if lo == Int::signed(1) => out.push_str("pos_integer()"),
        (Some(lo), None) if lo == Int::signed(0) => out.push_str("non_neg_integer()"),
        (None, Some(hi)) if hi == Int::signed(-1) => out.push_str("neg_integer()"),
        // Neither language can say "from 5 up": the wider type is still true.
        (Some(lo), None) if !lo.is_negative() => out.push_str("non_neg_integer()"),
        (None, Some(hi)) if hi.is_negative() => out.push_str("neg_integer()"),
        _ => out.push_str("integer()"),
    }
}

fn render(t: &TypeDesc, lang: Lang<'_>, out: &mut String) {
    let atom = |name: &str, out: &mut String| match lang {
        Lang::Erlang => out.push_str(&erlang_atom(name)),
        // A module's atom is its alias in Elixir source.
        Lang::Elixir(_) => match elixir_module(name) {
            Some(alias) => out.push_str(alias),
            None => out.push_str(&elixir_atom(name)),
        },
    };
    let seq = |items: &mut dyn Iterator<Item = &TypeDesc>, out: &mut String| {
        for (i, t) in items.enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            render(t, lang, out);
        }
    };
    match t {
        TypeDesc::Any => out.push_str("term()"),
        TypeDesc::Integer { min, max } => integer(*min, *max, out),
        TypeDesc::Float => out.push_str("float()"),
        TypeDesc::Boolean => out.push_str("boolean()"),
        TypeDesc::Atom => out.push_str("atom()"),
        TypeDesc::Literal(name) => atom(name, out),
        TypeDesc::Binary => out.push_str("binary()"),
        // Not `unicode:unicode_binary()`: dialyzer takes a remote type it has no PLT for
        // as any term, and the spec would lose what it says.
        TypeDesc::Utf8 => out.push_str(match lang {
            Lang::Erlang => "binary()",
            Lang::Elixir(_) => "String.t()",
        }),
        TypeDesc::List(elem) => {
            out.push('[');
            render(elem, lang, out);
            out.push(']');
        }
        TypeDesc::Tuple(elems) => {
            out.push('{');
            seq(&mut elems.iter(), out);
            out.push('}');
        }
        TypeDesc::Map(k, v) => {
            out.push_str(match lang {
                Lang::Erlang => "#{",
                Lang::Elixir(_) => "%{optional(",
            });
            render(k, lang, out);
            out.push_str(match lang {
                Lang::Erlang => " => ",
                Lang::Elixir(_) => ") => ",
            });
            render(v, lang, out);
            out.push('}');
        }
        TypeDesc::Fields(all) => {
            // Elixir writes a struct whose module is always there as `%Module{...}`, the
            // `__struct__` key implied.
            let module = match (lang, t.elixir_struct()) {
                (Lang::Elixir(_), Some(m)) if all[0].required => Some(m),
                _ => None,
            };
            let fields = if module.is_some() {
                &all[1..]
            } else {
                &all[..]
            };
            match (lang, module) {
                (Lang::Erlang, _) => out.push_str("#{"),
                (Lang::Elixir(_), Some(m)) => {
                    out.push('%');
                    out.push_str(m);
                    out.push('{');
                }
                (Lang::Elixir(_), None) => out.push_str("%{"),
            }
            // Elixir's keyword form says "required"; with an optional key, every key says
            // which it is.
            let keywords = fields.iter().all(|f| f.required);
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                match lang {
                    Lang::Erlang => {
                        out.push_str(&erlang_atom(&f.key));
                        out.push_str(if f.required { " := " } else { " => " });
                    }
                    Lang::Elixir(_) if keywords => {
                        if elixir_bare(&f.key) {
                            out.push_str(&f.key);
                        } else {
                            elixir_quoted(&f.key, out);
                        }
                        out.push_str(": ");
                    }
                    Lang::Elixir(_) => {
                        out.push_str(if f.required { "required(" } else { "optional(" });
                        out.push_str(&elixir_atom(&f.key));
                        out.push_str(") => ");
                    }
                }
                render(&f.value, lang, out);
            }
            out.push('}');
        }
        TypeDesc::Record { tag, fields } => {
            out.push('{');
            atom(tag, out);
            for f in fields {
                out.push_str(", ");
                render(&f.value, lang, out);
            }
            out.push('}');
        }
        TypeDesc::Optional(inner, none) => {
            atom(none.name(), out);
            out.push_str(" | ");
            render(inner, lang, out);
        }
        TypeDesc::Union(alts) if alts.is_empty() => out.push_str("none()"),
        TypeDesc::Union(alts) => {
            for (i, a) in alts.iter().enumerate() {
                if i > 0 {
                    out.push_str(" | ");
                }
                render(a, lang, out);
            }
        }
        TypeDesc::Pid => out.push_str("pid()"),
        TypeDesc::Port => out.push_str("port()"),
        TypeDesc::Reference => out.push_str("reference()"),
        TypeDesc::Named(n) => match lang {
            Lang::Erlang => out.push_str(&erlang_type_name(n)),
            Lang::Elixir(prefix) => {
                let name = n.name();
                // An Elixir struct's output is its module's `t()`.
                let module = (name == n.base_name())
                    .then(|| n.definition())
                    .and_then(|d| d.elixir_struct().map(str::to_owned));
                match module {
                    Some(m) => {
                        out.push_str(&m);
                        out.push_str(".t()");
                    }
                    None => {
                        if let Some(p) = prefix {
                            out.push_str(p);
                            out.push('.');
                        }
                        out.push_str(&name);
                        out.push_str("()");
                    }
                }
            }
        },
    }
}

impl TypeDesc {
    /// The type as an Erlang typespec, for `-spec` and `-type`: `{ok, 0..255} | {error,
    /// binary()}`. Named types are referred to (`point()`); [`declarations`] defines them.
    ///
    /// ```
    /// use erldrv::term::TermType;
    /// use std::collections::HashMap;
    ///
    /// type Reply = Result<HashMap<String, Option<u8>>, ()>;
    /// assert_eq!(
    ///     Reply::output_type().to_erlang(),
    ///     "{ok, #{binary() => undefined | 0..255}} | {error, {}}"
    /// );
    /// ```
    pub fn to_erlang(&self) -> String {
        let mut out = String::new();
        render(self, Lang::Erlang, &mut out);
        out
    }

    /// The type as an Elixir typespec, for `@spec` and `@type`: `{:ok, 0..255} | {:error,
    /// binary()}`. Named types are referred to (`point()`); [`declarations`] defines them.
    ///
    /// ```
    /// use erldrv::term::TermType;
    /// use std::collections::HashMap;
    ///
    /// type Reply = Result<HashMap<String, Option<u8>>, ()>;
    /// assert_eq!(
    ///     Reply::output_type().to_elixir(),
    ///     "{:ok, %{optional(String.t()) => :undefined | 0..255}} | {:error, {}}"
    /// );
    /// ```
    pub fn to_elixir(&self) -> String {
        let mut out = String::new();
        render(self, Lang::Elixir(None), &mut out);
        out
    }
}

impl fmt::Display for TypeDesc {
    /// The Erlang typespec ([`to_erlang`](TypeDesc::to_erlang)).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_erlang())
    }
}

/// The definition of one named type, as [`declarations`] finds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declaration {
    /// The type's name: `point`, or `point_input` for the input of a type that reads more
    /// than it writes.
    pub name: Cow<'static, str>,
    /// The Rust type's name.
    pub rust: &'static str,
    /// The Rust type's doc comment.
    pub doc: &'static str,
    /// Which direction the definition is for (`Output` when both are the same).
    pub dir: Dir,
    /// What the name stands for.
    pub definition: TypeDesc,
}

impl Declaration {
    /// `-type point() :: ...`, after the doc comment as `%%` lines.
    ///
    /// ```
    /// use erldrv::term::{TermType, declarations};
    ///
    /// #[derive(erldrv::term::ToTerm, erldrv::term::FromTerm, TermType)]
    /// enum Color { Red, Green, Rgb(u8, u8, u8) }
    ///
    /// let d = &declarations([&Color::output_type()])?[0];
    /// assert_eq!(d.to_erlang(), "-type color() :: red | green | {rgb, 0..255, 0..255, 0..255}.");
    /// # Ok::<(), erldrv::term::Conflict>(())
    /// ```
    pub fn to_erlang(&self) -> String {
        let mut out = String::new();
        for line in self.doc.lines().filter(|_| !self.doc.trim().is_empty()) {
            out.push_str("%%");
            if !line.is_empty() {
                out.push(' ');
                out.push_str(line);
            }
            out.push('\n');
        }
        let _ = write!(
            out,
            "-type {}() :: {}.",
            erlang_atom(&self.name),
            self.definition.to_erlang()
        );
        out
    }

    /// `@type point :: ...`, after the doc comment as `@typedoc`; for an Elixir struct
    /// ([`TypeDesc::elixir_struct`]), its module: `defmodule MyApp.Point do`, the doc
    /// comment as `@moduledoc`, `defstruct` with the keys and `@type t :: %__MODULE__{...}`.
    ///
    /// ```
    /// use erldrv::term::{TermType, declarations};
    ///
    /// #[derive(erldrv::term::ToTerm, erldrv::term::FromTerm, TermType)]
    /// enum Color { Red, Green, Rgb(u8, u8, u8) }
    ///
    /// let d = &declarations([&Color::output_type()])?[0];
    /// assert_eq!(d.to_elixir(), "@type color :: :red | :green | {:rgb, 0..255, 0..255, 0..255}");
    /// # Ok::<(), erldrv::term::Conflict>(())
    /// ```
    pub fn to_elixir(&self) -> String {
        if let Some(m) = self.elixir_struct() {
            return self.elixir_struct_module(m, None);
        }
        let mut out = String::new();
        if !self.doc.trim().is_empty() {
            out.push_str("@typedoc \"\"\"\n");
            for line in self.doc.lines() {
                out.push_str(&elixir_heredoc_line(line));
                out.push('\n');
            }
            out.push_str("\"\"\"\n");
        }
        let _ = write!(
            out,
            "@type {} :: {}",
            self.name,
            self.definition.to_elixir()
        );
        out
    }
}

impl Declaration {
    /// The module's alias when this declares an Elixir struct (the output of a type with
    /// `#[term(elixir_struct = "...")]`); its input, which also reads a plain map, is an
    /// ordinary type.
    pub fn elixir_struct(&self) -> Option<&str> {
        if self.dir == Dir::Output {
            self.definition.elixir_struct()
        } else {
            None
        }
    }

    /// The struct's module, defined as `name` (the whole alias, or its last parts when
    /// nested in `parent`, whose named types its type then refers to).
    pub(crate) fn elixir_struct_module(&self, name: &str, parent: Option<&str>) -> String {
        let TypeDesc::Fields(fields) = &self.definition else {
            unreachable!("an Elixir struct is described by its fields")
        };
        let fields = &fields[1..];
        let mut out = format!("defmodule {name} do\n  @moduledoc \"\"\"\n");
        let doc = if self.doc.trim().is_empty() {
            format!("The struct of Rust type `{}`.", self.rust)
        } else {
            self.doc.to_owned()
        };
        for line in doc.lines() {
            if !line.is_empty() {
                out.push_str("  ");
                out.push_str(&elixir_heredoc_line(line));
            }
            out.push('\n');
        }
        out.push_str("  \"\"\"\n");
        let keys: Vec<String> = fields.iter().map(|f| elixir_atom(&f.key)).collect();
        let _ = writeln!(out, "  defstruct [{}]\n", keys.join(", "));
        let mut t = String::from("%__MODULE__{");
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                t.push_str(", ");
            }
            if elixir_bare(&f.key) {
                t.push_str(&f.key);
            } else {
                elixir_quoted(&f.key, &mut t);
            }
            t.push_str(": ");
            render(&f.value, Lang::Elixir(parent), &mut t);
        }
        t.push('}');
        let _ = writeln!(out, "  @type t :: {t}");
        out.push_str("end");
        out
    }
}

/// A line of an Elixir heredoc (`"""`) as written: no interpolation, no early end.
pub(crate) fn elixir_heredoc_line(line: &str) -> String {
    line.replace('\\', "\\\\")
        .replace("#{", "\\#{")
        .replace("\"\"\"", "\\\"\"\"")
}

/// Two Rust types that want one type name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    /// The name.
    pub name: String,
    /// The Rust type that had it first.
    pub first: &'static str,
    /// The other.
    pub second: &'static str,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "two Rust types have the type name {}(): {} and {}; rename one of them",
            self.name, self.first, self.second
        )
    }
}

impl std::error::Error for Conflict {}

/// The named types the descriptions `roots` reach, directly or through other named
/// types, each once, in the order they are met: what a generated module declares with
/// `-type` or `@type`.
///
/// # Errors
/// [`Conflict`] when two Rust types have one type name (`a::Point` and `b::Point` are both
/// `point()`).
///
/// ```
/// use erldrv::term::{TermType, declarations};
///
/// #[derive(erldrv::term::ToTerm, erldrv::term::FromTerm, TermType)]
/// struct Line { from: Point, to: Point }
///
/// #[derive(erldrv::term::ToTerm, erldrv::term::FromTerm, TermType)]
/// #[term(tuple)]
/// struct Point { x: f64, y: f64 }
///
/// let names: Vec<_> = declarations([&Line::output_type()])?
///     .into_iter()
///     .map(|d| d.to_erlang())
///     .collect();
/// assert_eq!(names, [
///     "-type line() :: #{from := point(), to := point()}.",
///     "-type point() :: {float(), float()}.",
/// ]);
/// # Ok::<(), erldrv::term::Conflict>(())
/// ```
pub fn declarations<'a>(
    roots: impl IntoIterator<Item = &'a TypeDesc>,
) -> Result<Vec<Declaration>, Conflict> {
    let mut out: Vec<Declaration> = Vec::new();
    let mut todo: Vec<TypeDesc> = roots.into_iter().cloned().collect();
    todo.reverse();
    while let Some(t) = todo.pop() {
        let mut found = Vec::new();
        named_in(&t, &mut found);
        // Visit in the order met: push in reverse onto the stack.
        let mut next = Vec::new();
        for n in found {
            let name = n.name();
            if let Some(d) = out.iter().find(|d| d.name == name) {
                if d.rust != n.rust_name() {
                    return Err(Conflict {
                        name: name.into_owned(),
                        first: d.rust,
                        second: n.rust_name(),
                    });
                }
                continue;
            }
            let dir = if n.dir() == Dir::Input && n.differs() {
                Dir::Input
            } else {
                Dir::Output
            };
            let definition = (n.define)(dir);
            next.push(definition.clone());
            out.push(Declaration {
                name,
                rust: n.rust_name(),
                doc: n.doc(),
                dir,
                definition,
            });
        }
        todo.extend(next.into_iter().rev());
    }
    Ok(out)
}

/// The named types `t` refers to, in order, without entering them.
fn named_in(t: &TypeDesc, out: &mut Vec<Named>) {
    match t {
        TypeDesc::Named(n) => out.push(*n),
        TypeDesc::List(e) | TypeDesc::Optional(e, _) => named_in(e, out),
        TypeDesc::Map(k, v) => {
            named_in(k, out);
            named_in(v, out);
        }
        TypeDesc::Tuple(v) | TypeDesc::Union(v) => v.iter().for_each(|e| named_in(e, out)),
        TypeDesc::Fields(f) => f.iter().for_each(|f| named_in(&f.value, out)),
        TypeDesc::Record { fields, .. } => fields.iter().for_each(|f| named_in(&f.value, out)),
        TypeDesc::Any
        | TypeDesc::Integer { .. }
        | TypeDesc::Float
        | TypeDesc::Boolean
        | TypeDesc::Atom
        | TypeDesc::Literal(_)
        | TypeDesc::Binary
        | TypeDesc::Utf8
        | TypeDesc::Pid
        | TypeDesc::Port
        | TypeDesc::Reference => {}
    }
}
