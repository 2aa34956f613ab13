//! Client modules rendered from a driver's commands: an Erlang module ([`erlang`]) and an
//! Elixir module ([`elixir`]) with one function per command, typespecs from the commands'
//! [`TypeDesc`]s, docs from their doc comments, and an `open` that checks the running
//! driver's interface against the one the module was generated for.
//!
//! The renderers are plain Rust and need no VM: a test or build script of the driver crate
//! can call them on [`commands`](super::commands). A running driver serves them too,
//! through `erldrv:client_source/4`, which is what `erldrv_gen:generate/1` asks for; so
//! generating a client needs only a VM and the built driver.
//!
//! ```
//! use erldrv::command::{self, client};
//! use erldrv::{Driver, Port, StartError, erl_driver};
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
//!     fn add(&mut self, n: i32) -> i64 {
//!         self.0 += i64::from(n);
//!         self.0
//!     }
//! }
//!
//! let options = client::Options::new("counter", "my_app", "counter_drv");
//! let source = client::erlang(command::commands::<Counter>(), &options)?;
//! assert!(source.contains("-module(counter)."));
//! assert!(source.contains(
//!     "-spec add(port(), -2147483648..2147483647) -> \
//!      -9223372036854775808..9223372036854775807."
//! ));
//! assert!(source.contains("add(Port, N) ->"));
//!
//! let options = client::Options::new("MyApp.Counter", "my_app", "counter_drv");
//! let source = client::elixir(command::commands::<Counter>(), &options)?;
//! assert!(source.contains("defmodule MyApp.Counter do"));
//! assert!(source.contains("def add(port, n), do:"));
//! # Ok::<(), erldrv::command::client::ClientError>(())
//! ```
//!
//! # The Erlang module
//! - `open/0,1`: loads the driver from the application's `priv` directory
//!   (`erldrv:load_priv/2`), opens a port with the given `open_port` options, and asks the
//!   driver for its interface fingerprint (`erldrv:open_client/5`). `{ok, Port}`, or
//!   `{error, {interface_mismatch, Details}}` when the driver is not the one the module was
//!   generated for: `Details` is `#{added := [Name], removed := [Name], changed := [Name],
//!   expected := Fingerprint, found := Fingerprint}` (commands the driver has and the
//!   module lacks, the reverse, and those whose numbers, kinds or types differ), or
//!   `no_interface` for a driver that cannot tell.
//! - `close/1`: closes the port and drops the load `open` took.
//! - per sync command `name(Port, A, B)`: `erlang:port_call/3`, through one local
//!   function of the module that answers as `erldrv:command/3` does (calling
//!   `erldrv:command_failed/4` for a refusal or a panic and `erldrv:sent_reply/3` for a
//!   result sent as a message, on those paths only, so a call costs what a hand-written
//!   wrapper costs); per async command
//!   `name(Port, A, B)` (waiting 5 seconds) and `name(Port, A, B, Timeout)`:
//!   `erldrv:command_async/4`; per bytes command `name(Port, Data)`:
//!   `erlang:port_control/3`. Each has a `-spec` (arguments: what they accept; result:
//!   [`CommandInfo::reply_type`]) and its doc comment as edoc.
//! - `-type` declarations (exported) for the named types the specs use.
//!
//! # The Elixir module
//! The same functions, with `@spec`, `@type` and `@doc`. `name(port, a, b)` returns what
//! the driver answers, by the same rule; a refused argument of a sync command raises
//! `ArgumentError` with the driver's message. Commands that can answer `{:error, reason}`
//! (a sync command returning a `Result`, every async command) also get `name!(port, a,
//! b)`, which returns the value of `{:ok, value}` (`:ok` for `:ok`) or raises:
//! `ArgumentError` with the driver's message for `{:error, {:badarg, message}}` of an async
//! command (a refused argument), and `Module.Error` (an exception with `command` and
//! `reason`, defined in the generated module) for any other `{:error, reason}`.
//!
//! A type with `#[term(elixir_struct = "Module.Point")]` is a struct whose module the client
//! defines inside its own (`defmodule Point`: `defstruct`, `@type t :: %__MODULE__{...}`,
//! `@moduledoc` from the doc comment); specs name it `Module.Point.t()`. Its alias must
//! start with the client module's, so no two clients define one module: [`elixir`] refuses
//! any other, and two Rust types of one struct module.

use std::fmt::{self, Write};

use super::{CommandInfo, CommandKind, fingerprint};
use crate::term::types::{elixir_atom, elixir_heredoc_line, erlang_atom};
use crate::term::{Conflict, Declaration, TypeDesc, declarations};

/// How long the generated functions of async commands wait by default, in milliseconds
/// (as `erldrv:request/3`).
pub const DEFAULT_TIMEOUT: u32 = 5000;

/// Which language a client is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    /// An Erlang module ([`erlang`]).
    Erlang,
    /// An Elixir module ([`elixir`]).
    Elixir,
}

/// What a client is generated for: its module name, the application whose `priv`
/// directory holds the driver, and the driver's name.
///
/// ```
/// let o = erldrv::command::client::Options::new("kv", "kv_app", "kv_drv");
/// assert_eq!(o.module, "kv");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// The module: an Erlang module name (`kv_client`), or an Elixir alias (`MyApp.Kv`).
    pub module: String,
    /// The application whose `priv` directory holds the driver (`code:priv_dir(App)`).
    pub app: String,
    /// The driver's name: its file is `priv/<driver>.so`.
    pub driver: String,
}

impl Options {
    /// The options for module `module` of driver `driver`, loaded from application `app`.
    ///
    /// ```
    /// let o = erldrv::command::client::Options::new("MyApp.Kv", "my_app", "kv_drv");
    /// assert_eq!((o.app.as_str(), o.driver.as_str()), ("my_app", "kv_drv"));
    /// ```
    pub fn new(
        module: impl Into<String>,
        app: impl Into<String>,
        driver: impl Into<String>,
    ) -> Options {
        Options {
            module: module.into(),
            app: app.into(),
            driver: driver.into(),
        }
    }
}

/// Why a client cannot be rendered: a name the language cannot take, two functions of one
/// name, or two Rust types of one type name ([`Conflict`]).
///
/// ```
/// use erldrv::command::client::{self, Options};
///
/// let e = client::elixir(&[], &Options::new("not a module", "app", "drv")).unwrap_err();
/// assert!(e.to_string().contains("not a module"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientError(String);

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ClientError {}

impl From<Conflict> for ClientError {
    fn from(c: Conflict) -> ClientError {
        ClientError(c.to_string())
    }
}

/// The client in `language`: [`erlang`] or [`elixir`].
///
/// # Errors
/// As [`erlang`] and [`elixir`].
///
/// ```
/// use erldrv::command::client::{self, Language, Options};
/// let src = client::render(Language::Erlang, &[], &Options::new("none", "app", "none_drv"))?;
/// assert!(src.contains("-module(none)."));
/// # Ok::<(), client::ClientError>(())
/// ```
pub fn render(
    language: Language,
    commands: &[CommandInfo],
    options: &Options,
) -> Result<String, ClientError> {
    match language {
        Language::Erlang => erlang(commands, options),
        Language::Elixir => elixir(commands, options),
    }
}

/// Type names both languages build in: a derived type cannot take one.
const BUILTIN_TYPES: &[&str] = &[
    "any",
    "arity",
    "as_boolean",
    "atom",
    "binary",
    "bitstring",
    "boolean",
    "byte",
    "char",
    "charlist",
    "float",
    "fun",
    "function",
    "identifier",
    "integer",
    "iodata",
    "iolist",
    "keyword",
    "list",
    "map",
    "maybe_improper_list",
    "mfa",
    "module",
    "neg_integer",
    "nil",
    "no_return",
    "node",
    "non_neg_integer",
    "nonempty_charlist",
    "nonempty_improper_list",
    "nonempty_list",
    "nonempty_maybe_improper_list",
    "nonempty_string",
    "none",
    "number",
    "pid",
    "port",
    "pos_integer",
    "reference",
    "string",
    "struct",
    "term",
    "timeout",
    "tuple",
    "dynamic",
    "nonempty_binary",
    "nonempty_bitstring",
];

/// What both renderers need: the commands' types and the named types they reach.
struct Model {
    args: Vec<Vec<TypeDesc>>,
    replies: Vec<TypeDesc>,
    decls: Vec<Declaration>,
    fingerprint: u64,
    fingerprints: Vec<u64>,
}

impl Model {
    fn of(commands: &[CommandInfo], options: &Options) -> Result<Model, ClientError> {
        if options.app.is_empty() || options.driver.is_empty() {
            return Err(ClientError(
                "a client needs the application and the driver's name".into(),
            ));
        }
        let args: Vec<Vec<TypeDesc>> = commands.iter().map(CommandInfo::arg_types).collect();
        let replies: Vec<TypeDesc> = commands.iter().map(CommandInfo::reply_type).collect();
        let decls = declarations(args.iter().flatten().chain(&replies))?;
        if let Some(d) = decls
            .iter()
            .find(|d| BUILTIN_TYPES.contains(&d.name.as_ref()))
        {
            return Err(ClientError(format!(
                "the Rust type {} has the type name {}(), which Erlang and Elixir build in; rename the type",
                d.rust, d.name
            )));
        }
        let fingerprints = commands
            .iter()
            .map(CommandInfo::fingerprint)
            .collect::<Result<_, _>>()?;
        Ok(Model {
            args,
            replies,
            decls,
            fingerprint: fingerprint(commands)?,
            fingerprints,
        })
    }
}

/// The functions a client defines, to find two of one name and arity.
struct Functions(Vec<(String, usize, String)>);

impl Functions {
    fn add(
        &mut self,
        name: &str,
        arity: usize,
        what: impl Into<String>,
    ) -> Result<(), ClientError> {
        let what = what.into();
        if let Some((_, _, first)) = self.0.iter().find(|(n, a, _)| n == name && *a == arity) {
            return Err(ClientError(format!(
                "{first} and {what} would both be {name}/{arity} in the client; rename the command"
            )));
        }
        self.0.push((name.to_owned(), arity, what));
        Ok(())
    }

    /// `base`, or `base` with underscores after it: a name no function of that arity has.
    fn free(&self, base: &str, arity: usize) -> String {
        let mut name = base.to_owned();
        while self.0.iter().any(|(n, a, _)| *n == name && *a == arity) {
            name.push('_');
        }
        name
    }
}

/// Variable names for `names`, none equal to another or to one of `taken`; `convert`
/// turns a Rust identifier into a variable name, or `None` when it cannot.
fn variables(
    names: impl Iterator<Item = &'static str>,
    taken: &[&str],
    convert: impl Fn(&str) -> Option<String>,
    fallback: &str,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, n) in names.enumerate() {
        let n = n.strip_prefix("r#").unwrap_or(n);
        let mut v = convert(n).unwrap_or_else(|| format!("{fallback}{}", i + 1));
        while taken.contains(&v.as_str()) || out.contains(&v) {
            v.push('_');
        }
        out.push(v);
    }
    out
}

/// `snake_case` as an Erlang variable: `SnakeCase`.
fn erlang_variable(name: &str) -> Option<String> {
    let name = name.trim_start_matches('_');
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out.starts_with(|c: char| c.is_ascii_uppercase())
        .then_some(out)
}

/// Words Elixir reserves: no variable or function may be named so.
const ELIXIR_RESERVED: &[&str] = &[
    "true", "false", "nil", "when", "and", "or", "not", "in", "fn", "do", "end", "catch", "rescue",
    "after", "else",
];

/// A Rust identifier as an Elixir variable: `snake_case`, reserved words suffixed.
fn elixir_variable(name: &str) -> Option<String> {
    let name = name.trim_start_matches('_');
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let mut out = String::with_capacity(name.len() + 1);
    let mut chars = name.chars();
    out.extend(chars.next().map(|c| c.to_ascii_lowercase()));
    out.extend(chars);
    if !out.starts_with(|c: char| c.is_ascii_lowercase()) {
        return None;
    }
    if ELIXIR_RESERVED.contains(&out.as_str()) {
        out.push('_');
    }
    Some(out)
}

/// Markdown text as edoc: `code` as `` `code' ``, XML characters escaped, fenced blocks
/// as `<pre>`, a line starting with `@` (an edoc tag) escaped.
fn edoc(text: &str) -> Vec<String> {
    let escape = |s: &str, out: &mut String| {
        for c in s.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '@' => out.push_str("&#64;"),
                '`' => out.push_str("&#96;"),
                c => out.push(c),
            }
        }
    };
    let mut lines = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            lines.push(if fenced { "</pre>" } else { "<pre>" }.to_owned());
            fenced = !fenced;
            continue;
        }
        let mut out = String::new();
        if fenced {
            escape(line, &mut out);
            lines.push(out);
            continue;
        }
        let parts: Vec<&str> = line.split('`').collect();
        // An odd count of backticks leaves the last one unpaired: it stays text.
        let paired = if parts.len() % 2 == 1 {
            parts.len()
        } else {
            parts.len() - 1
        };
        for (i, part) in parts.iter().enumerate() {
            if i >= paired {
                out.push_str("&#96;");
                escape(part, &mut out);
            } else if i % 2 == 1 {
                if part.contains('\'') {
                    let _ = write!(out, "``{part}''");
                } else {
                    let _ = write!(out, "`{part}'");
                }
            } else {
                escape(part, &mut out);
            }
        }
        lines.push(out);
    }
    if fenced {
        lines.push("</pre>".to_owned());
    }
    lines
}

fn erlang_comment(out: &mut String, lines: &[String]) {
    for line in lines {
        if line.is_empty() {
            out.push_str("%%\n");
        } else {
            let _ = writeln!(out, "%% {line}");
        }
    }
}

/// `%% @doc ...`: the doc comment, or `fallback` when there is none.
fn erlang_doc(out: &mut String, doc: &str, fallback: &str) {
    let mut lines = edoc(if doc.trim().is_empty() { fallback } else { doc });
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    if let Some(first) = lines.first_mut() {
        first.insert_str(0, "@doc ");
    }
    erlang_comment(out, &lines);
}

fn tuple(vars: &[String], open: &str) -> String {
    format!("{open}{}}}", vars.join(", "))
}

/// The client as an Erlang module (see the [module documentation](self)).
///
/// # Errors
/// [`ClientError`]: an empty application or driver name; two functions of one name and
/// arity (a command named `open` or `close` of the same arity as the client's own); two
/// Rust types of one type name, or one named as a built-in type.
///
/// ```
/// use erldrv::command::client::{self, Options};
/// let src = client::erlang(&[], &Options::new("empty", "app", "empty_drv"))?;
/// assert!(src.contains("-define(DRIVER, empty_drv)."));
/// assert!(src.contains("open(Opts) ->\n    erldrv:open_client(?APP, ?DRIVER, Opts,"));
/// # Ok::<(), client::ClientError>(())
/// ```
pub fn erlang(commands: &[CommandInfo], options: &Options) -> Result<String, ClientError> {
    if options.module.is_empty() {
        return Err(ClientError("a client needs a module name".into()));
    }
    let m = Model::of(commands, options)?;
    let mut fns = Functions(Vec::new());
    fns.add("open", 0, "open/0")?;
    fns.add("open", 1, "open/1")?;
    fns.add("close", 1, "close/1")?;
    fns.add("module_info", 0, "module_info/0")?;
    fns.add("module_info", 1, "module_info/1")?;
    let mut exports = Vec::new();
    for c in commands {
        let name = erlang_atom(c.name);
        let arity = c.args.len() + 1;
        let what = format!("command {}", c.name);
        fns.add(c.name, arity, what.clone())?;
        exports.push(format!("{name}/{arity}"));
        if c.kind == CommandKind::Async {
            fns.add(c.name, arity + 1, what)?;
            exports.push(format!("{name}/{}", arity + 1));
        }
    }

    // The local function every sync command calls.
    let sync = commands
        .iter()
        .any(|c| c.kind == CommandKind::Sync)
        .then(|| fns.free("sync_command", 3));

    let module = erlang_atom(&options.module);
    let app = erlang_atom(&options.app);
    let driver = erlang_atom(&options.driver);
    let mut out = String::new();
    erlang_comment(
        &mut out,
        &edoc(&format!(
            "@doc The commands of driver `{}`, loaded from the `priv` directory of application `{}`.\n\n\
             Generated by erldrv from the driver's `#[command]` methods: do not edit. \
             Regenerate it with `erldrv_gen:generate/1` when the driver changes; open/1 \
             refuses a driver whose commands differ from those this module was generated for.",
            options.driver, options.app
        )),
    );
    // The `@doc` marker went through the escaper: put it back.
    out = out.replacen("%% &#64;doc", "%% @doc", 1);
    let _ = writeln!(out, "-module({module}).\n");
    out.push_str("-export([open/0, open/1, close/1]).\n");
    if !exports.is_empty() {
        let _ = writeln!(out, "-export([{}]).", exports.join(", "));
        // A command may share a name and arity with an auto-imported BIF (`size/1`).
        let _ = writeln!(
            out,
            "-compile({{no_auto_import, [{}]}}).",
            exports.join(", ")
        );
    }
    if !m.decls.is_empty() {
        let names: Vec<String> = m
            .decls
            .iter()
            .map(|d| format!("{}/0", erlang_atom(&d.name)))
            .collect();
        let _ = writeln!(out, "-export_type([{}]).", names.join(", "));
    }
    out.push('\n');
    let _ = writeln!(out, "-define(APP, {app}).");
    let _ = writeln!(out, "-define(DRIVER, {driver}).");
    out.push_str(
        "%% The fingerprint of the driver's commands and types, and each command's own.\n",
    );
    let _ = writeln!(out, "-define(FINGERPRINT, 16#{:016X}).", m.fingerprint);
    let each: Vec<String> = commands
        .iter()
        .zip(&m.fingerprints)
        .map(|(c, f)| format!("{{{}, 16#{f:016X}}}", erlang_atom(c.name)))
        .collect();
    let _ = writeln!(
        out,
        "-define(COMMANDS, [{}]).",
        each.join(",\n                   ")
    );
    for d in &m.decls {
        out.push('\n');
        out.push_str(&d.to_erlang());
        out.push('\n');
    }

    let open_result = "{ok, port()} | {error, {interface_mismatch, erldrv:interface_mismatch()}}";
    let _ = write!(
        out,
        "\n%% @doc Opens a port of the driver with no options: open([]).\n\
         -spec open() -> {open_result}.\n\
         open() ->\n    open([]).\n\n"
    );
    erlang_doc(
        &mut out,
        &format!(
            "Loads driver `{}` from the `priv` directory of application `{}` (for the calling \
             process, until close/1 or its exit; nothing is loaded when the running \
             application holds the driver already), opens a port of it with the `open_port` \
             options `Opts`, and checks that the driver's commands are those this module was \
             generated for. Returns `{{error, {{interface_mismatch, Details}}}}` otherwise, \
             `Details` naming the commands added, removed and changed. Raises as \
             `erldrv:load_priv/2` when the driver cannot be loaded.",
            options.driver, options.app
        ),
        "",
    );
    let _ = write!(
        out,
        "-spec open(list()) -> {open_result}.\n\
         open(Opts) ->\n    erldrv:open_client(?APP, ?DRIVER, Opts, ?FINGERPRINT, ?COMMANDS).\n\n"
    );
    erlang_doc(
        &mut out,
        "Closes a port that open/0,1 opened, and drops the driver load it took.",
        "",
    );
    out.push_str(
        "-spec close(port()) -> ok.\nclose(Port) ->\n    erldrv:close_client(Port, ?DRIVER).\n",
    );

    for (i, c) in commands.iter().enumerate() {
        let name = erlang_atom(c.name);
        let vars = variables(
            c.args.iter().map(|a| a.name),
            &["Port", "Timeout"],
            erlang_variable,
            "Arg",
        );
        let types: Vec<String> = m.args[i].iter().map(TypeDesc::to_erlang).collect();
        let reply = m.replies[i].to_erlang();
        let params = after_port("Port", vars.iter().cloned());
        let spec_args = after_port("port()", types);
        let fallback = format!("Command `{}` of the driver.", c.name);
        let id = c.id;
        out.push('\n');
        match c.kind {
            CommandKind::Sync => {
                erlang_doc(&mut out, c.doc, &fallback);
                let sync = sync.as_deref().unwrap_or("sync_command");
                let _ = write!(
                    out,
                    "-spec {name}({spec_args}) -> {reply}.\n\
                     {name}({params}) ->\n    {sync}(Port, 16#{id:08X}, {}).\n",
                    tuple(&vars, "{")
                );
            }
            CommandKind::Bytes => {
                erlang_doc(&mut out, c.doc, &fallback);
                let _ = write!(
                    out,
                    "-spec {name}({spec_args}) -> {reply}.\n\
                     {name}({params}) ->\n    erlang:port_control(Port, 16#{id:08X}, {}).\n",
                    vars.join(", ")
                );
            }
            CommandKind::Async => {
                erlang_doc(&mut out, c.doc, &fallback);
                erlang_comment(
                    &mut out,
                    &[
                        String::new(),
                        format!(
                            "Waits {DEFAULT_TIMEOUT} milliseconds for the reply: {}/{} with a timeout.",
                            name,
                            c.args.len() + 2
                        ),
                    ],
                );
                let _ = write!(
                    out,
                    "-spec {name}({spec_args}) -> {reply}.\n\
                     {name}({params}) ->\n    {name}({params}, {DEFAULT_TIMEOUT}).\n\n"
                );
                erlang_doc(&mut out, c.doc, &fallback);
                erlang_comment(
                    &mut out,
                    &[
                        String::new(),
                        "Waits at most `Timeout' milliseconds for the reply; then the command is cancelled."
                            .to_owned(),
                    ],
                );
                let _ = write!(
                    out,
                    "-spec {name}({spec_args}, timeout()) -> {reply}.\n\
                     {name}({params}, Timeout) ->\n    erldrv:command_async(Port, 16#{id:08X}, {}, Timeout).\n",
                    tuple(&vars, "{")
                );
            }
        }
    }
    if let Some(sync) = sync {
        // port_call/3 in the module itself, erldrv only on the failure paths: a call
        // costs what a hand-written wrapper around port_call/3 costs.
        let _ = write!(
            out,
            "\n%% A sync command's call: erlang:port_call/3, answering as erldrv:command/3 does \
             when the\n%% driver refused the arguments, the command panicked, or its result \
             came as a message.\n\
             {sync}(Port, Id, Args) ->\n    \
             try erlang:port_call(Port, Id, Args) of\n        \
             {{erldrv_badarg, _}} = Failure -> erldrv:command_failed(Port, Id, Args, Failure);\n        \
             {{erldrv_panic, _}} = Failure -> erldrv:command_failed(Port, Id, Args, Failure);\n        \
             {{erldrv_reply, message}} -> erldrv:sent_reply(Port, Id, Args);\n        \
             Reply -> Reply\n    \
             catch\n        \
             error:badarg:Stack -> erldrv:command_failed(Port, Id, Args, {{raised, Stack}})\n    \
             end.\n"
        );
    }
    Ok(out)
}

/// Text in an Elixir heredoc (`"""`): no interpolation, no early end.
fn elixir_heredoc(out: &mut String, indent: &str, text: &str) {
    let _ = writeln!(out, "{indent}\"\"\"");
    for line in text.trim_end().lines() {
        let line = elixir_heredoc_line(line);
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "{indent}{line}");
        }
    }
    let _ = writeln!(out, "{indent}\"\"\"");
}

fn elixir_doc(out: &mut String, doc: &str, fallback: &str) {
    out.push_str("  @doc ");
    let doc = if doc.trim().is_empty() { fallback } else { doc };
    let mut text = String::new();
    elixir_heredoc(&mut text, "  ", doc);
    out.push_str(text.trim_start());
}

/// Whether `module` is an Elixir alias: `Foo`, `MyApp.Foo`.
fn elixir_alias(module: &str) -> bool {
    !module.is_empty()
        && module.split('.').all(|part| {
            part.starts_with(|c: char| c.is_ascii_uppercase())
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// The part of an Elixir struct's alias after the client's module: the struct's module is
/// defined inside the client's, so two clients never define one module.
fn nested_alias<'a>(module: &str, alias: &'a str, rust: &str) -> Result<&'a str, ClientError> {
    alias
        .strip_prefix(module)
        .and_then(|rest| rest.strip_prefix('.'))
        .ok_or_else(|| {
            ClientError(format!(
                "the Elixir struct {alias} (Rust type {rust}) is not inside the client module {module}: \
                 the client defines its structs' modules within its own, so that no two clients \
                 define one module; name it {module}.{}",
                alias.rsplit('.').next().unwrap_or(alias)
            ))
        })
}

/// Whether `name` can be a `def` name as written.
fn elixir_function(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !ELIXIR_RESERVED.contains(&name)
}

/// The client as an Elixir module (see the [module documentation](self)).
///
/// # Errors
/// [`ClientError`]: a module name that is no Elixir alias; a command whose name Elixir
/// cannot define (a reserved word); two functions of one name and arity; two Rust types of
/// one type name, or one named as a built-in type.
///
/// ```
/// use erldrv::command::client::{self, Options};
/// let src = client::elixir(&[], &Options::new("MyApp.Empty", "my_app", "empty_drv"))?;
/// assert!(src.contains("def open(opts \\\\ [])"));
/// # Ok::<(), client::ClientError>(())
/// ```
pub fn elixir(commands: &[CommandInfo], options: &Options) -> Result<String, ClientError> {
    if !elixir_alias(&options.module) {
        return Err(ClientError(format!(
            "{:?} is not an Elixir module name (an alias such as MyApp.Driver)",
            options.module
        )));
    }
    let m = Model::of(commands, options)?;
    let mut fns = Functions(Vec::new());
    fns.add("open", 0, "open/0")?;
    fns.add("open", 1, "open/1")?;
    fns.add("close", 1, "close/1")?;
    fns.add("__sync__", 3, "the helper __sync__/3")?;
    fns.add("__unwrap__", 2, "the helper __unwrap__/2")?;
    fns.add("__unwrap_async__", 2, "the helper __unwrap_async__/2")?;
    let bang: Vec<bool> = commands
        .iter()
        .zip(&m.replies)
        .map(|(c, r)| {
            c.kind == CommandKind::Async || (c.kind == CommandKind::Sync && r.as_result().is_some())
        })
        .collect();
    for (c, &bang) in commands.iter().zip(&bang) {
        if !elixir_function(c.name) {
            return Err(ClientError(format!(
                "command {} cannot be an Elixir function of that name; rename it",
                c.name
            )));
        }
        let arity = c.args.len() + 1;
        let what = format!("command {}", c.name);
        let bang_name = format!("{}!", c.name);
        fns.add(c.name, arity, what.clone())?;
        if bang {
            fns.add(&bang_name, arity, what.clone())?;
        }
        if c.kind == CommandKind::Async {
            fns.add(c.name, arity + 1, what.clone())?;
            fns.add(&bang_name, arity + 1, what)?;
        }
    }
    let uses_sync = commands.iter().any(|c| c.kind == CommandKind::Sync);
    let uses_unwrap = commands
        .iter()
        .zip(&bang)
        .any(|(c, &b)| b && c.kind == CommandKind::Sync);
    let uses_unwrap_async = commands.iter().any(|c| c.kind == CommandKind::Async);

    let module = &options.module;
    let mut out = String::new();
    let _ = writeln!(out, "defmodule {module} do");
    out.push_str("  @moduledoc ");
    let mut doc = String::new();
    elixir_heredoc(
        &mut doc,
        "  ",
        &format!(
            "The commands of driver `{driver}`, loaded from the `priv` directory of application `{app}`.\n\n\
             Generated by erldrv from the driver's `#[command]` methods: do not edit. Regenerate it \
             with `:erldrv_gen.generate/1` when the driver changes; `open/1` refuses a driver whose \
             commands differ from those this module was generated for.\n\n\
             `name(port, ...)` returns what the driver answers. A sync command whose argument the \
             driver refuses raises `ArgumentError` with the driver's message. Commands that can answer \
             `{{:error, reason}}` also have `name!(port, ...)`, which returns the value of \
             `{{:ok, value}}` (`:ok` for `:ok`) or raises: `ArgumentError` for an async command's \
             `{{:error, {{:badarg, message}}}}`, `{module}.Error` for any other `{{:error, reason}}`.",
            driver = options.driver,
            app = options.app,
        ),
    );
    out.push_str(doc.trim_start());
    if uses_unwrap || uses_unwrap_async {
        out.push_str(
            "\n  defmodule Error do\n    @moduledoc \"\"\"\n    A command's `{:error, reason}`, raised by its `name!` function.\n    \"\"\"\n    defexception [:command, :reason]\n\n    @impl true\n    def message(%{command: command, reason: reason}),\n      do: \"command #{command} failed: #{inspect(reason)}\"\n  end\n",
        );
    }
    out.push('\n');
    let _ = writeln!(out, "  @app {}", elixir_atom(&options.app));
    let _ = writeln!(out, "  @driver {}", elixir_atom(&options.driver));
    let _ = writeln!(out, "  @fingerprint 0x{:016X}", m.fingerprint);
    let each: Vec<String> = commands
        .iter()
        .zip(&m.fingerprints)
        .map(|(c, f)| format!("{{{}, 0x{f:016X}}}", elixir_atom(c.name)))
        .collect();
    let _ = writeln!(out, "  @commands [{}]", each.join(",\n             "));
    let mut structs: Vec<(&str, &str)> = Vec::new();
    for d in &m.decls {
        out.push('\n');
        let text = match d.elixir_struct() {
            Some(alias) => {
                let nested = nested_alias(module, alias, d.rust)?;
                if let Some((_, first)) = structs.iter().find(|(a, _)| *a == alias) {
                    return Err(ClientError(format!(
                        "the Rust types {first} and {} are both the Elixir struct {alias}; give one another `elixir_struct` name",
                        d.rust
                    )));
                }
                structs.push((alias, d.rust));
                d.elixir_struct_module(nested, Some(module))
            }
            None => d.to_elixir(),
        };
        for line in text.lines() {
            if line.is_empty() {
                out.push('\n');
            } else {
                let _ = writeln!(out, "  {line}");
            }
        }
    }

    let open_result =
        "{:ok, port()} | {:error, {:interface_mismatch, :erldrv.interface_mismatch()}}";
    out.push('\n');
    elixir_doc(
        &mut out,
        &format!(
            "Loads driver `{}` from the `priv` directory of application `{}` (for the calling \
             process, until `close/1` or its exit; nothing is loaded when the running \
             application holds the driver already), opens a port of it with the `open_port` \
             options `opts`, and checks that the driver's commands are those this module was \
             generated for. Returns `{{:error, {{:interface_mismatch, details}}}}` otherwise, \
             `details` naming the commands added, removed and changed.",
            options.driver, options.app
        ),
        "",
    );
    let _ = write!(
        out,
        "  @spec open(list()) :: {open_result}\n  def open(opts \\\\ []),\n    do: :erldrv.open_client(@app, @driver, opts, @fingerprint, @commands)\n\n"
    );
    elixir_doc(
        &mut out,
        "Closes a port that `open/1` opened, and drops the driver load it took.",
        "",
    );
    out.push_str("  @spec close(port()) :: :ok\n  def close(port), do: :erldrv.close_client(port, @driver)\n");

    for (i, c) in commands.iter().enumerate() {
        let name = c.name;
        let vars = variables(
            c.args.iter().map(|a| a.name),
            &["port", "timeout"],
            elixir_variable,
            "arg",
        );
        let types: Vec<String> = m.args[i].iter().map(TypeDesc::to_elixir).collect();
        let reply_desc = &m.replies[i];
        let reply = reply_desc.to_elixir();
        let params = after_port("port", vars.iter().cloned());
        let spec_args = after_port("port()", types);
        let fallback = format!("Command `{name}` of the driver.");
        let id = c.id;
        let args_tuple = tuple(&vars, "{");
        out.push('\n');
        elixir_doc(&mut out, c.doc, &fallback);
        match c.kind {
            CommandKind::Sync => {
                let _ = write!(
                    out,
                    "  @spec {name}({spec_args}) :: {reply}\n  def {name}({params}), do: __sync__(port, 0x{id:08X}, {args_tuple})\n"
                );
                if bang[i] {
                    let ok = match reply_desc.as_result() {
                        Some((Some(t), _)) => t.to_elixir(),
                        _ => ":ok".to_owned(),
                    };
                    let _ = write!(
                        out,
                        "\n  @doc \"Like `{name}/{arity}`, returning the value or raising `{module}.Error`.\"\n  @spec {name}!({spec_args}) :: {ok}\n  def {name}!({params}), do: __unwrap__(:{name}, __MODULE__.{name}({params}))\n",
                        arity = c.args.len() + 1
                    );
                }
            }
            CommandKind::Bytes => {
                let _ = write!(
                    out,
                    "  @spec {name}({spec_args}) :: {reply}\n  def {name}({params}), do: :erlang.port_control(port, 0x{id:08X}, {})\n",
                    vars.join(", ")
                );
            }
            CommandKind::Async => {
                let ok = match reply_desc {
                    TypeDesc::Union(alts) => match alts.first() {
                        Some(TypeDesc::Tuple(v)) if v.len() == 2 => v[1].to_elixir(),
                        _ => "term()".to_owned(),
                    },
                    _ => "term()".to_owned(),
                };
                let _ = write!(
                    out,
                    "  @spec {name}({spec_args}) :: {reply}\n  @spec {name}({spec_args}, timeout()) :: {reply}\n  def {name}({params}, timeout \\\\ {DEFAULT_TIMEOUT}),\n    do: :erldrv.command_async(port, 0x{id:08X}, {args_tuple}, timeout)\n"
                );
                let _ = write!(
                    out,
                    "\n  @doc \"Like `{name}/{arity}`, returning the value or raising.\"\n  @spec {name}!({spec_args}) :: {ok}\n  @spec {name}!({spec_args}, timeout()) :: {ok}\n  def {name}!({params}, timeout \\\\ {DEFAULT_TIMEOUT}),\n    do: __unwrap_async__(:{name}, __MODULE__.{name}({params}, timeout))\n",
                    arity = c.args.len() + 2
                );
            }
        }
    }

    if uses_sync {
        out.push_str(
            "\n  defp __sync__(port, id, args) do\n    :erldrv.command(port, id, args)\n  catch\n    :error, {:badarg, message} when Kernel.is_binary(message) ->\n      Kernel.reraise(ArgumentError, [message: message], __STACKTRACE__)\n  end\n",
        );
    }
    if uses_unwrap {
        out.push_str(
            "\n  defp __unwrap__(_command, :ok), do: :ok\n  defp __unwrap__(_command, {:ok, value}), do: value\n  defp __unwrap__(command, {:error, reason}), do: Kernel.raise(Error, command: command, reason: reason)\n",
        );
    }
    if uses_unwrap_async {
        out.push_str(
            "\n  defp __unwrap_async__(_command, {:ok, value}), do: value\n\n  defp __unwrap_async__(_command, {:error, {:badarg, message}})\n       when Kernel.is_binary(message),\n       do: Kernel.raise(ArgumentError, message)\n\n  defp __unwrap_async__(command, {:error, reason}),\n    do: Kernel.raise(Error, command: command, reason: reason)\n",
        );
    }
    out.push_str("end\n");
    Ok(out)
}

/// `first` and then `rest`, separated by commas: a function's parameters or its spec's
/// argument types, the port first.
fn after_port(first: &str, rest: impl IntoIterator<Item = String>) -> String {
    std::iter::once(first.to_owned())
        .chain(rest)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edoc_from_markdown() {
        assert_eq!(
            edoc("Adds `n` to <x> & @y"),
            ["Adds `n' to &lt;x&gt; &amp; &#64;y"]
        );
        assert_eq!(edoc("`it's`"), ["``it's''"]);
        assert_eq!(edoc("one ` tick"), ["one &#96; tick"]);
        assert_eq!(edoc("```\na < b\n```"), ["<pre>", "a &lt; b", "</pre>"]);
    }

    #[test]
    fn variable_names() {
        let v = variables(
            ["port", "_x", "r#type", "a_b", "ünï"].into_iter(),
            &["Port", "Timeout"],
            erlang_variable,
            "Arg",
        );
        assert_eq!(v, ["Port_", "X", "Type", "AB", "Arg5"]);
        let v = variables(
            ["timeout", "end", "Big"].into_iter(),
            &["port", "timeout"],
            elixir_variable,
            "arg",
        );
        assert_eq!(v, ["timeout_", "end_", "big"]);
    }

    use crate::command::{ArgInfo, input_of, output_of};

    static NO_ARGS: [ArgInfo; 0] = [];
    static ONE_ARG: [ArgInfo; 1] = [ArgInfo::new("size", "u8", input_of::<u8>)];

    fn command(name: &'static str, kind: CommandKind, args: &'static [ArgInfo]) -> CommandInfo {
        CommandInfo::new(
            name,
            super::super::id_of(name),
            kind,
            args,
            "u8",
            output_of::<u8>,
            false,
            "",
        )
    }

    #[test]
    fn a_command_that_takes_a_client_function_name_is_refused() {
        let o = Options::new("m", "app", "drv");
        let e = erlang(&[command("close", CommandKind::Sync, &NO_ARGS)], &o).unwrap_err();
        assert_eq!(
            e.to_string(),
            "close/1 and command close would both be close/1 in the client; rename the command"
        );
        // Another arity is another function.
        assert!(erlang(&[command("close", CommandKind::Sync, &ONE_ARG)], &o).is_ok());
        // An async command is also name/n+1 with a timeout.
        let e = erlang(&[command("open", CommandKind::Async, &NO_ARGS)], &o).unwrap_err();
        assert!(e.to_string().contains("open/1"), "{e}");
        let e = elixir(
            &[command("end", CommandKind::Sync, &ONE_ARG)],
            &Options::new("M", "app", "drv"),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("command end cannot be an Elixir function"),
            "{e}"
        );
    }

    #[test]
    fn a_command_named_like_a_bif_is_not_auto_imported() {
        let src = erlang(
            &[command("size", CommandKind::Sync, &NO_ARGS)],
            &Options::new("m", "app", "drv"),
        )
        .unwrap();
        assert!(
            src.contains("-compile({no_auto_import, [size/1]})."),
            "{src}"
        );
    }

    #[test]
    fn a_struct_module_lies_inside_the_client() {
        assert_eq!(
            nested_alias("MyApp.Kv", "MyApp.Kv.Point", "p::Point"),
            Ok("Point")
        );
        let e = nested_alias("MyApp.Kv", "MyApp.Point", "p::Point").unwrap_err();
        assert_eq!(
            e.to_string(),
            "the Elixir struct MyApp.Point (Rust type p::Point) is not inside the client module MyApp.Kv: \
             the client defines its structs' modules within its own, so that no two clients define \
             one module; name it MyApp.Kv.Point"
        );
        assert!(nested_alias("MyApp.Kv", "MyApp.KvPoint", "p").is_err());
    }

    #[test]
    fn names_the_language_refuses() {
        assert!(elixir_alias("MyApp.Kv"));
        assert!(!elixir_alias("my_app"));
        assert!(!elixir_alias("MyApp..Kv"));
        assert!(!elixir_function("end"));
        assert!(elixir_function("put"));
    }
}
