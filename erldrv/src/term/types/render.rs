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
enum Lang {
    Erlang,
    Elixir,
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

fn render(t: &TypeDesc, lang: Lang, out: &mut String) {
    let atom = |name: &str, out: &mut String| match lang {
        Lang::Erlang => out.push_str(&erlang_atom(name)),
        Lang::Elixir => out.push_str(&elixir_atom(name)),
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
            Lang::Elixir => "String.t()",
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
                Lang::Elixir => "%{optional(",
            });
            render(k, lang, out);
            out.push_str(match lang {
                Lang::Erlang => " => ",
                Lang::Elixir => ") => ",
            });
            render(v, lang, out);
            out.push('}');
        }
        TypeDesc::Fields(fields) => {
            out.push_str(match lang {
                Lang::Erlang => "#{",
                Lang::Elixir => "%{",
            });
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
                    Lang::Elixir if keywords => {
                        if elixir_bare(&f.key) {
                            out.push_str(&f.key);
                        } else {
                            elixir_quoted(&f.key, out);
                        }
                        out.push_str(": ");
                    }
                    Lang::Elixir => {
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
            Lang::Elixir => {
                out.push_str(&n.name());
                out.push_str("()");
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
        render(self, Lang::Elixir, &mut out);
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

    /// `@type point :: ...`, after the doc comment as `@typedoc`.
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
        let mut out = String::new();
        if !self.doc.trim().is_empty() {
            out.push_str("@typedoc \"\"\"\n");
            for line in self.doc.lines() {
                // A heredoc interpolates and ends at `"""`: escape both.
                let line = line
                    .replace('\\', "\\\\")
                    .replace("#{", "\\#{")
                    .replace("\"\"\"", "\\\"\"\"");
                out.push_str(&line);
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
