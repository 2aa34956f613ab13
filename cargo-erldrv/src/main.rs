//! `cargo erldrv gen`: builds an erldrv driver crate (a cdylib), loads it into a real `erl`
//! and writes the Erlang and/or Elixir client of its `#[command]` methods, as the driver
//! renders them (`erldrv:client_source/4`). For Rust-only projects; rebar3 and Mix
//! projects run the same generation from their build hooks.
//!
//! `cargo erldrv precompile`: builds the driver in release mode and writes a release
//! artifact named by driver, version, driver API and target triple, with its SHA-256 in
//! the checksum file a library ships (see the `precompile` module), for the `erldrv`
//! application's `erldrv_precompiled` to install on machines without Rust.
//!
//! ```text
//! cargo install --path cargo-erldrv
//! cargo erldrv gen --erlang src                      # src/<app>.erl
//! cargo erldrv gen -p kv_drv --release --erlang erlang --elixir lib --check
//! cargo erldrv precompile --out-dir artifacts        # artifacts/kv_drv-v0.1.0-drv3.3-....so
//! ```
//!
//! The Erlang side it needs (`erldrv.erl`, `erldrv_gen.erl`, which asks the driver for
//! its sources and writes them, and `cargo_erldrv.erl`, the command line around it) is
//! embedded in the binary and compiled with `erlc` into
//! a temporary directory, so nothing but Erlang/OTP (`erl`, `erlc`) and cargo has to be
//! installed. A file is rewritten only when its content changed; `--check` writes nothing
//! and exits with 1 when a file is not up to date (for CI).

use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

mod precompile;

/// The Erlang sources the generation runs on, compiled at each run.
const ERLANG_SOURCES: [(&str, &str); 3] = [
    ("erldrv.erl", include_str!("../erlang/erldrv.erl")),
    ("erldrv_gen.erl", include_str!("../erlang/erldrv_gen.erl")),
    (
        "cargo_erldrv.erl",
        include_str!("../erlang/cargo_erldrv.erl"),
    ),
];

const USAGE: &str = "\
Builds an erldrv driver crate and writes the Erlang and/or Elixir client of its commands
(gen), or its release artifact and checksum (precompile: see cargo erldrv precompile --help).

Usage: cargo erldrv gen [OPTIONS] (--erlang DIR | --elixir DIR)...

Options:
  --erlang DIR            write the Erlang client, DIR/<module>.erl
  --elixir DIR            write the Elixir client, DIR/<last alias part, snake_case>.ex
  --app APP               the application whose priv/ holds the driver, which the
                          client's open/0 loads (default: the driver's name without _drv)
  --module NAME           the Erlang module (default: APP)
  --elixir-module ALIAS   the Elixir module, e.g. MyApp.Kv (default: APP in CamelCase)
  --args ARGS             start arguments for the port the sources are asked from
  --check                 write nothing; exit with 1 if a client is not up to date
  -p, --package SPEC      the package to build (as cargo's --package)
  --manifest-path PATH    the Cargo.toml to build (as cargo's --manifest-path)
  --release               build with the release profile
  -h, --help              print this help

Exit status: 0 done (or up to date), 1 a client is stale (--check), 2 an error.";

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    match parse(&args).and_then(|c| match c {
        Cmd::Gen(options) => generate(&options),
        Cmd::Precompile(options) => precompile::run(&options).map(|()| Outcome::Done),
        Cmd::Help(text) => {
            println!("{text}");
            Ok(Outcome::Done)
        }
    }) {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Stale) => ExitCode::from(1),
        Err(e) => {
            eprintln!("cargo erldrv: error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Why `cargo erldrv gen` stopped.
#[derive(Debug)]
struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(message: impl Into<String>) -> Result<T, Error> {
    Err(Error(message.into()))
}

/// What a successful run found.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// Every client written or already up to date.
    Done,
    /// `--check`: some client differs from what the driver renders.
    Stale,
}

/// What the command line asks for.
#[derive(Debug)]
enum Cmd {
    Gen(Options),
    Precompile(precompile::Options),
    /// `--help`: print this text.
    Help(&'static str),
}

/// The arguments after the program name: `erldrv <command> ...` as cargo passes them to a
/// subcommand (`<command> ...` alone too).
fn parse(args: &[OsString]) -> Result<Cmd, Error> {
    let rest = match args.first() {
        Some(a) if *a == "erldrv" => &args[1..],
        _ => args,
    };
    match rest.first().map(|a| a.to_string_lossy()) {
        Some(a) if a == "precompile" => Ok(match precompile::Options::parse(&rest[1..])? {
            Some(o) => Cmd::Precompile(o),
            None => Cmd::Help(precompile::USAGE),
        }),
        _ => Ok(match Options::parse(args)? {
            Some(o) => Cmd::Gen(o),
            None => Cmd::Help(USAGE),
        }),
    }
}

/// The command line of `gen`.
#[derive(Debug, Default, PartialEq)]
struct Options {
    erlang: Option<PathBuf>,
    elixir: Option<PathBuf>,
    app: Option<String>,
    module: Option<String>,
    elixir_module: Option<String>,
    start_args: String,
    check: bool,
    package: Option<String>,
    manifest_path: Option<PathBuf>,
    release: bool,
}

impl Options {
    /// The arguments after the program name: `erldrv gen ...` as cargo passes them to a
    /// subcommand (`gen ...` alone too). `None` for `--help`.
    fn parse(args: &[OsString]) -> Result<Option<Options>, Error> {
        let mut args = args.iter().peekable();
        if args.peek().is_some_and(|a| *a == "erldrv") {
            args.next();
        }
        match args.next().map(|a| a.to_string_lossy()) {
            Some(a) if a == "gen" => {}
            Some(a) if a == "-h" || a == "--help" || a == "help" => return Ok(None),
            Some(a) => {
                return err(format!(
                    "unknown command `{a}`: the commands are `gen` and `precompile`"
                ));
            }
            None => {
                return err(
                    "missing command: `cargo erldrv gen` or `cargo erldrv precompile` (see --help)",
                );
            }
        }
        let mut o = Options::default();
        let mut flags = Flags::new(args);
        while let Some(flag) = flags.next_flag() {
            match flag.as_str() {
                "--erlang" => o.erlang = Some(flags.value(&flag)?.into()),
                "--elixir" => o.elixir = Some(flags.value(&flag)?.into()),
                "--app" => o.app = Some(flags.text(&flag)?),
                "--module" => o.module = Some(flags.text(&flag)?),
                "--elixir-module" => o.elixir_module = Some(flags.text(&flag)?),
                "--args" => o.start_args = flags.text(&flag)?,
                "-p" | "--package" => o.package = Some(flags.text(&flag)?),
                "--manifest-path" => o.manifest_path = Some(flags.value(&flag)?.into()),
                "--check" if flags.no_value() => o.check = true,
                "--release" if flags.no_value() => o.release = true,
                "-h" | "--help" => return Ok(None),
                _ => return err(format!("unknown option `{}` (see --help)", flags.arg())),
            }
        }
        if o.erlang.is_none() && o.elixir.is_none() {
            return err("nothing to generate: give --erlang DIR and/or --elixir DIR");
        }
        Ok(Some(o))
    }
}

/// A command line after the command's name, flag by flag: `--flag value` or
/// `--flag=value`.
struct Flags<'a, I: Iterator<Item = &'a OsString>> {
    args: I,
    /// The argument the flag came from, as typed.
    arg: String,
    /// The value after `=` in `--flag=value`.
    inline: Option<OsString>,
}

impl<'a, I: Iterator<Item = &'a OsString>> Flags<'a, I> {
    /// Reads `args`.
    fn new(args: I) -> Self {
        Flags {
            args,
            arg: String::new(),
            inline: None,
        }
    }

    /// The next flag (for `--flag=value`, the part before `=`), or `None` at the end.
    fn next_flag(&mut self) -> Option<String> {
        let arg = self.args.next()?.to_string_lossy().into_owned();
        let flag = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                self.inline = Some(value.into());
                flag.to_owned()
            }
            _ => {
                self.inline = None;
                arg.clone()
            }
        };
        self.arg = arg;
        Some(flag)
    }

    /// The argument the last flag came from, as typed (`--flag=value` whole).
    fn arg(&self) -> &str {
        &self.arg
    }

    /// Whether the last flag came without `=value` (a switch must).
    fn no_value(&self) -> bool {
        self.inline.is_none()
    }

    /// The value of `flag`: after its `=`, or the next argument.
    fn value(&mut self, flag: &str) -> Result<OsString, Error> {
        match self.inline.take().or_else(|| self.args.next().cloned()) {
            Some(v) => Ok(v),
            None => err(format!("{flag} needs a value")),
        }
    }

    /// The value of `flag`, which must be UTF-8.
    fn text(&mut self, flag: &str) -> Result<String, Error> {
        self.value(flag)?
            .into_string()
            .or_else(|_| err(format!("the value of {flag} is not UTF-8")))
    }
}

/// A client to write: its language (as `erldrv:client_source/4` names it), module, file.
struct Client {
    language: &'static str,
    module: String,
    out: PathBuf,
}

fn generate(o: &Options) -> Result<Outcome, Error> {
    let artifact = build(&BuildSpec {
        release: o.release,
        package: o.package.as_deref(),
        manifest_path: o.manifest_path.as_deref(),
        target: None,
    })?;
    let app = match &o.app {
        Some(app) => app.clone(),
        None => artifact
            .driver
            .strip_suffix("_drv")
            .filter(|s| !s.is_empty())
            .unwrap_or(&artifact.driver)
            .to_owned(),
    };
    let mut clients = Vec::new();
    if let Some(dir) = &o.erlang {
        let module = o.module.clone().unwrap_or_else(|| app.clone());
        let out = dir.join(format!("{module}.erl"));
        clients.push(Client {
            language: "erlang",
            module,
            out,
        });
    }
    if let Some(dir) = &o.elixir {
        let module = o.elixir_module.clone().unwrap_or_else(|| camel_case(&app));
        let last = module.rsplit('.').next().unwrap_or(&module);
        let out = dir.join(format!("{}.ex", snake_case(last)));
        clients.push(Client {
            language: "elixir",
            module,
            out,
        });
    }
    for c in &clients {
        if let Some(dir) = c.out.parent().filter(|d| !d.as_os_str().is_empty())
            && !o.check
        {
            fs::create_dir_all(dir)
                .map_err(|e| Error(format!("cannot create directory {}: {e}", dir.display())))?;
        }
    }
    let scratch = Scratch::new()?;
    let ebin = compile_erlang(&scratch.0)?;
    let priv_dir = scratch.0.join("priv");
    install(&artifact, &priv_dir)?;
    run_erl(o, &ebin, &priv_dir, &artifact.driver, &app, &clients)
}

/// The driver library cargo built.
#[derive(Debug)]
struct Artifact {
    /// The library file (`target/debug/libkv_drv.so`).
    path: PathBuf,
    /// Its name without `lib` and extension, which the VM wants as the driver's file name
    /// (and which `#[erl_driver(name = ...)]` must match).
    driver: String,
    /// The version of the package it belongs to, from cargo's package id (empty if the id
    /// does not say).
    version: String,
}

/// What to build: cargo's own options.
struct BuildSpec<'a> {
    release: bool,
    package: Option<&'a str>,
    manifest_path: Option<&'a Path>,
    /// `--target TRIPLE` for cross builds.
    target: Option<&'a str>,
}

/// `cargo build --message-format=json-render-diagnostics`: diagnostics go to the terminal
/// as usual, the artifacts are read from the JSON.
fn build(o: &BuildSpec<'_>) -> Result<Artifact, Error> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(&cargo);
    cmd.args(["build", "--message-format=json-render-diagnostics"]);
    if o.release {
        cmd.arg("--release");
    }
    if let Some(p) = o.package {
        cmd.args(["--package", p]);
    }
    if let Some(m) = o.manifest_path {
        cmd.arg("--manifest-path").arg(m);
    }
    if let Some(t) = o.target {
        cmd.args(["--target", t]);
    }
    cmd.stdout(Stdio::piped()).stderr(Stdio::inherit());
    let mut child = cmd
        .spawn()
        .map_err(|e| Error(format!("cannot run {}: {e}", Path::new(&cargo).display())))?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut found = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| Error(format!("reading cargo's output: {e}")))?;
        if let Some(a) = cdylib_of(&line) {
            found.push(a);
        }
    }
    let status = child
        .wait()
        .map_err(|e| Error(format!("waiting for cargo: {e}")))?;
    if !status.success() {
        return err(format!("cargo build failed ({status})"));
    }
    choose(found, o.package)
}

/// A cdylib artifact in one line of cargo's JSON output: `(package id, artifact)`.
fn cdylib_of(line: &str) -> Option<(String, Artifact)> {
    let msg: serde_json::Value = serde_json::from_str(line).ok()?;
    if msg["reason"] != "compiler-artifact" {
        return None;
    }
    let target = &msg["target"];
    let is_cdylib = target["crate_types"]
        .as_array()?
        .iter()
        .any(|t| t == "cdylib");
    if !is_cdylib {
        return None;
    }
    let suffix = std::env::consts::DLL_SUFFIX;
    let path = msg["filenames"]
        .as_array()?
        .iter()
        .filter_map(|f| f.as_str())
        .find(|f| f.ends_with(suffix))?;
    let driver = target["name"].as_str()?.replace('-', "_");
    let id = msg["package_id"].as_str().unwrap_or_default().to_owned();
    let version = package_id_version(&id).unwrap_or_default().to_owned();
    Some((
        id,
        Artifact {
            path: PathBuf::from(path),
            driver,
            version,
        },
    ))
}

/// The version in cargo's package id: `path+file:///dir#name@1.0.0`,
/// `path+file:///dir/name#1.0.0`, or the older `name 1.0.0 (path+file:///dir)`.
fn package_id_version(id: &str) -> Option<&str> {
    match id.rsplit_once('#') {
        Some((_, fragment)) => Some(fragment.rsplit_once('@').map_or(fragment, |(_, v)| v)),
        None => id.split_whitespace().nth(1),
    }
    .filter(|v| !v.is_empty())
}

/// The one driver library among the cdylibs built (those of `package`, when given).
fn choose(found: Vec<(String, Artifact)>, package: Option<&str>) -> Result<Artifact, Error> {
    let mut found: Vec<(String, Artifact)> = match package {
        Some(p) => found
            .into_iter()
            .filter(|(id, _)| package_id_names(id, p))
            .collect(),
        None => found,
    };
    match found.len() {
        1 => Ok(found.pop().expect("one artifact").1),
        0 => err(format!(
            "{} builds no cdylib: a driver crate needs `[lib] crate-type = [\"cdylib\"]` in \
             its Cargo.toml",
            package.map_or_else(|| "the crate".to_owned(), |p| format!("package {p}"))
        )),
        _ => {
            let names: Vec<&str> = found.iter().map(|(_, a)| a.driver.as_str()).collect();
            err(format!(
                "several cdylibs were built ({}): choose one with --package",
                names.join(", ")
            ))
        }
    }
}

/// Whether cargo's package id `id` is package `spec` (`name` or `name@version`). Ids are
/// `path+file:///dir#name@1.0.0`, or `path+file:///dir/name#1.0.0` when the directory is
/// named after the package.
fn package_id_names(id: &str, spec: &str) -> bool {
    let name = spec.split('@').next().unwrap_or(spec);
    let Some((url, fragment)) = id.rsplit_once('#') else {
        return false;
    };
    match fragment.split_once('@') {
        Some((n, _)) => n == name,
        None => url.rsplit('/').next() == Some(name),
    }
}

/// A temporary directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Scratch, Error> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir =
            std::env::temp_dir().join(format!("cargo-erldrv-{}-{nanos:08x}", std::process::id()));
        fs::create_dir_all(&dir)
            .map_err(|e| Error(format!("cannot create {}: {e}", dir.display())))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Runs `cmd`, explaining a missing program: Erlang/OTP is the one thing to install.
fn spawn_output(cmd: &mut Command, program: &str) -> Result<std::process::Output, Error> {
    cmd.output().map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            Error(format!(
                "`{program}` was not found on PATH: cargo erldrv needs Erlang/OTP (erl and \
                 erlc; e.g. apt-get install erlang-nox erlang-dev)"
            ))
        } else {
            Error(format!("cannot run {program}: {e}"))
        }
    })
}

/// Writes the embedded Erlang sources into `dir/src` and compiles them into `dir/ebin`.
fn compile_erlang(dir: &Path) -> Result<PathBuf, Error> {
    let src = dir.join("src");
    let ebin = dir.join("ebin");
    for d in [&src, &ebin] {
        fs::create_dir_all(d).map_err(|e| Error(format!("cannot create {}: {e}", d.display())))?;
    }
    let mut cmd = Command::new("erlc");
    cmd.arg("-o").arg(&ebin);
    for (name, text) in ERLANG_SOURCES {
        let path = src.join(name);
        fs::write(&path, text)
            .map_err(|e| Error(format!("cannot write {}: {e}", path.display())))?;
        cmd.arg(path);
    }
    let out = spawn_output(&mut cmd, "erlc")?;
    if !out.status.success() {
        return err(format!(
            "erlc could not compile erldrv's Erlang modules ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(ebin)
}

/// Copies the library to `dir/<driver>.so` (`.dll` on Windows): the VM opens the file
/// named after the driver.
fn install(artifact: &Artifact, dir: &Path) -> Result<(), Error> {
    let ext = if cfg!(windows) { "dll" } else { "so" };
    fs::create_dir_all(dir).map_err(|e| Error(format!("cannot create {}: {e}", dir.display())))?;
    let to = dir.join(format!("{}.{ext}", artifact.driver));
    fs::copy(&artifact.path, &to).map_err(|e| {
        Error(format!(
            "cannot copy {} to {}: {e}",
            artifact.path.display(),
            to.display()
        ))
    })?;
    Ok(())
}

/// Starts `erl` with the compiled modules: `cargo_erldrv:main/1` loads the driver and
/// writes (or checks) each client.
fn run_erl(
    o: &Options,
    ebin: &Path,
    priv_dir: &Path,
    driver: &str,
    app: &str,
    clients: &[Client],
) -> Result<Outcome, Error> {
    let mut cmd = Command::new("erl");
    cmd.args(["-noshell", "-pa"])
        .arg(ebin)
        .args(["-run", "cargo_erldrv", "main"])
        .arg(priv_dir)
        .args([driver, app])
        .arg(format!("={}", o.start_args))
        .arg(if o.check { "check" } else { "write" });
    for c in clients {
        cmd.args([c.language, &c.module]).arg(&c.out);
    }
    let out = spawn_output(&mut cmd, "erl")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut stale = Vec::new();
    for line in stdout.lines() {
        match line.split_once(' ') {
            Some(("written", path)) => eprintln!("     Written {path}"),
            Some(("unchanged", path)) => eprintln!("  Up to date {path}"),
            Some(("stale", path)) => stale.push(path.to_owned()),
            _ => eprintln!("{line}"),
        }
    }
    match out.status.code() {
        Some(0) => Ok(Outcome::Done),
        Some(1) if !stale.is_empty() => {
            for path in &stale {
                eprintln!(
                    "cargo erldrv: {path} is not up to date with driver {driver}; run the \
                     same command without --check to regenerate it"
                );
            }
            Ok(Outcome::Stale)
        }
        _ => {
            // The VM's own lines (what the driver reported) first, then the reason.
            let mut reason = None;
            for line in stderr.lines() {
                match line.strip_prefix("error: ") {
                    Some(r) if reason.is_none() => reason = Some(r.to_owned()),
                    _ => eprintln!("{line}"),
                }
            }
            err(reason.unwrap_or_else(|| format!("erl exited with {}", out.status)))
        }
    }
}

/// `my_app` as an Elixir alias: `MyApp`.
fn camel_case(name: &str) -> String {
    name.split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// `MyKv` as a file name: `my_kv`.
fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Option<Options>, Error> {
        let args: Vec<OsString> = line.split_whitespace().map(OsString::from).collect();
        match super::parse(&args)? {
            Cmd::Gen(o) => Ok(Some(o)),
            Cmd::Help(_) => Ok(None),
            Cmd::Precompile(o) => panic!("{line} parsed as precompile: {o:?}"),
        }
    }

    #[test]
    fn command_lines() {
        let o = parse("erldrv gen --erlang src -p kv_drv --release --check --app=kv")
            .unwrap()
            .unwrap();
        assert_eq!(o.erlang, Some(PathBuf::from("src")));
        assert_eq!(o.package.as_deref(), Some("kv_drv"));
        assert_eq!(o.app.as_deref(), Some("kv"));
        assert!(o.release && o.check);
        assert!(parse("gen --elixir lib").unwrap().is_some());
        assert!(parse("erldrv gen --help").unwrap().is_none());
        for (bad, why) in [
            ("erldrv gen", "nothing to generate"),
            ("erldrv gen --erlang", "--erlang needs a value"),
            (
                "erldrv gen --erlang src --frobnicate",
                "unknown option `--frobnicate`",
            ),
            ("erldrv build", "unknown command `build`"),
            ("erldrv", "missing command"),
        ] {
            let e = parse(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn names() {
        assert_eq!(camel_case("my_app"), "MyApp");
        assert_eq!(camel_case("kv"), "Kv");
        assert_eq!(snake_case("MyKv"), "my_kv");
        assert_eq!(snake_case("Kv"), "kv");
    }

    #[test]
    fn package_ids() {
        assert!(package_id_names(
            "path+file:///w/examples/kv#kv_drv@0.1.0",
            "kv_drv"
        ));
        assert!(package_id_names(
            "path+file:///w/kv_drv#0.1.0",
            "kv_drv@0.1.0"
        ));
        assert!(!package_id_names(
            "path+file:///w/examples/kv#kv_drv@0.1.0",
            "kv"
        ));
        for (id, version) in [
            ("path+file:///w/examples/kv#kv_drv@0.1.0", Some("0.1.0")),
            ("path+file:///w/kv_drv#1.2.3-rc.1", Some("1.2.3-rc.1")),
            ("kv_drv 0.3.0 (path+file:///w/kv_drv)", Some("0.3.0")),
            ("", None),
        ] {
            assert_eq!(package_id_version(id), version, "{id}");
        }
    }

    #[test]
    fn cdylibs_in_cargo_json() {
        let line = r#"{"reason":"compiler-artifact","package_id":"path+file:///w/examples/kv#kv_drv@0.1.0","target":{"name":"kv_drv","kind":["cdylib"],"crate_types":["cdylib"]},"filenames":["/w/target/debug/libkv_drv.so"]}"#;
        let (id, a) = cdylib_of(line).expect("a cdylib");
        assert_eq!(a.driver, "kv_drv");
        assert_eq!(a.path, PathBuf::from("/w/target/debug/libkv_drv.so"));
        assert!(cdylib_of(&line.replace("cdylib", "rlib")).is_none());
        assert!(cdylib_of(r#"{"reason":"build-finished","success":true}"#).is_none());
        let none = choose(Vec::new(), Some("kv_drv")).unwrap_err().to_string();
        assert!(none.contains("package kv_drv builds no cdylib"), "{none}");
        let one = choose(vec![(id, a)], Some("kv_drv")).unwrap();
        assert_eq!(one.driver, "kv_drv");
    }
}
