//! The programs the project template is tested with besides Erlang: cargo-generate,
//! rebar3 and Elixir's mix. Each is found, or installed where that is safe to do unasked,
//! or reported missing with what to run; never skipped.

use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use crate::run_captured;
use crate::{apt, find_program, workspace_root};

/// The cargo-generate release series the template is tested with: later series need a
/// newer Rust than 1.95, the one CI has. `--locked` keeps its dependencies at the versions
/// it was released with.
pub const CARGO_GENERATE_VERSION: &str = "~0.23";

/// The oldest cargo-generate accepted from `PATH`, as (major, minor).
const CARGO_GENERATE_OLDEST: (u64, u64) = (0, 23);

/// Building cargo-generate from source takes several minutes on two cores.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(60 * 60);

/// How long asking a program for its version may take.
const VERSION_TIMEOUT: Duration = Duration::from_secs(60);

/// `rebar3` from `PATH`; when it is missing, installed with `apt-get install rebar3` (the
/// Debian package) when running as root, like Erlang/OTP itself.
///
/// # Errors
///
/// If it is missing and cannot be installed here; the message says what to run.
pub fn rebar3() -> Result<PathBuf, String> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    FOUND.get_or_init(find_or_install_rebar3).clone()
}

fn find_or_install_rebar3() -> Result<PathBuf, String> {
    find_or_apt_install(
        "rebar3",
        "rebar3",
        "rebar3 is needed to test the project template, and it is not on PATH.",
        "install rebar3 (https://rebar3.org) and put it on PATH",
    )
}

/// `mix` (Elixir) from `PATH`; when it is missing, installed with `apt-get install elixir`
/// (the Debian package) when running as root, like Erlang/OTP itself.
///
/// # Errors
///
/// If it is missing and cannot be installed here; the message says what to run.
pub fn mix() -> Result<PathBuf, String> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    FOUND.get_or_init(find_or_install_mix).clone()
}

fn find_or_install_mix() -> Result<PathBuf, String> {
    find_or_apt_install(
        "mix",
        "elixir",
        "Elixir's mix is needed to test the Mix variant of the project template, and it \
         is not on PATH.",
        "install Elixir 1.14 or later and put mix on PATH",
    )
}

/// `elixirc` (Elixir's compiler) from `PATH`; when it is missing, installed with
/// `apt-get install elixir` when running as root.
///
/// # Errors
///
/// If it is missing and cannot be installed here; the message says what to run.
pub fn elixirc() -> Result<PathBuf, String> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            find_or_apt_install(
                "elixirc",
                "elixir",
                "Elixir's elixirc is needed to check the Elixir types and modules erldrv \
                 renders, and it is not on PATH.",
                "install Elixir 1.14 or later and put elixirc on PATH",
            )
        })
        .clone()
}

/// `dialyzer` from `PATH`; when it is missing, installed with
/// `apt-get install erlang-dialyzer` (the Debian package) when running as root.
///
/// # Errors
///
/// If it is missing and cannot be installed here; the message says what to run.
pub fn dialyzer() -> Result<PathBuf, String> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            find_or_apt_install(
                "dialyzer",
                "erlang-dialyzer",
                "dialyzer is needed to check that the specs erldrv renders carry \
                 information, and it is not on PATH.",
                "install dialyzer (Debian: erlang-dialyzer) and put it on PATH",
            )
        })
        .clone()
}

/// `program` from `PATH`, else the Debian `package` that provides it, installed with
/// apt-get as root (`why` and `otherwise` word the failure, as for [`apt::install`]).
fn find_or_apt_install(
    program: &str,
    package: &str,
    why: &str,
    otherwise: &str,
) -> Result<PathBuf, String> {
    if let Some(path) = find_program(program) {
        return Ok(path);
    }
    apt::install(why, &[package], otherwise)?;
    find_program(program)
        .ok_or_else(|| format!("{program} is still not on PATH after installing it"))
}

/// Where [`cargo_generate`] installs cargo-generate: `<workspace>/target/tools`, with the
/// program in its `bin/`. Inside `target/`, so that it is cached across runs and never
/// touches the user's `~/.cargo/bin`.
pub fn tools_dir() -> PathBuf {
    workspace_root().join("target").join("tools")
}

/// A cargo-generate program, run as `<program> generate ...`. In order: the one an
/// earlier run installed into [`tools_dir`], one on `PATH` of version 0.23 or later, or
/// a new one: `cargo install cargo-generate --version ~0.23 --locked --root
/// target/tools`, which builds it from source (several minutes) once. Building it needs
/// pkg-config and the OpenSSL headers, which are installed with apt-get when missing and
/// running as root.
///
/// # Errors
///
/// If it cannot be found or installed; the message says why and what to run.
pub fn cargo_generate() -> Result<PathBuf, String> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    FOUND.get_or_init(find_or_install_cargo_generate).clone()
}

fn find_or_install_cargo_generate() -> Result<PathBuf, String> {
    let local = tools_dir()
        .join("bin")
        .join(format!("cargo-generate{}", env::consts::EXE_SUFFIX));
    if local.is_file() && cargo_generate_version(&local).is_ok_and(acceptable) {
        return Ok(local);
    }
    if let Some(on_path) = find_program("cargo-generate")
        && cargo_generate_version(&on_path).is_ok_and(acceptable)
    {
        return Ok(on_path);
    }
    if !has_openssl_headers() {
        apt::install(
            "Building cargo-generate needs pkg-config and the OpenSSL headers.",
            &["pkg-config", "libssl-dev"],
            "install pkg-config and the OpenSSL development headers",
        )?;
    }
    install_cargo_generate()?;
    match cargo_generate_version(&local) {
        Ok(version) if acceptable(version) => Ok(local),
        Ok(version) => Err(format!(
            "{} is version {version:?} after installing {CARGO_GENERATE_VERSION}",
            local.display()
        )),
        Err(e) => Err(format!("after installing cargo-generate: {e}")),
    }
}

/// `cargo install cargo-generate ...` into [`tools_dir`], with cargo's output kept for the
/// error if it fails.
fn install_cargo_generate() -> Result<(), String> {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut cmd = Command::new(cargo);
    cmd.args([
        "install",
        "cargo-generate",
        "--version",
        CARGO_GENERATE_VERSION,
    ])
    .arg("--locked")
    .arg("--root")
    .arg(tools_dir())
    // A replaced version (say, from an older pin) is reinstalled.
    .arg("--force");
    let shown = format!("{cmd:?}");
    println!(
        "Installing cargo-generate, once, into {}: {shown}",
        tools_dir().display()
    );
    let out = run_captured(&mut cmd, INSTALL_TIMEOUT)
        .map_err(|e| format!("could not run {shown}: {e}"))?;
    if out.success() {
        Ok(())
    } else {
        Err(format!(
            "installing cargo-generate failed\ncommand: {shown}\n{out}"
        ))
    }
}

/// The version `program --version` reports (`cargo generate 0.23.14`), as numbers.
fn cargo_generate_version(program: &Path) -> Result<(u64, u64, u64), String> {
    let mut cmd = Command::new(program);
    cmd.arg("--version");
    let out = run_captured(&mut cmd, VERSION_TIMEOUT)
        .map_err(|e| format!("could not run {}: {e}", program.display()))?;
    out.stdout
        .split_whitespace()
        .last()
        .and_then(parse_version)
        .filter(|_| out.success())
        .ok_or_else(|| format!("{} --version said:\n{out}", program.display()))
}

fn parse_version(text: &str) -> Option<(u64, u64, u64)> {
    let mut parts = text.split('.').map(|p| p.parse::<u64>().ok());
    let version = (parts.next()??, parts.next()??, parts.next()??);
    parts.next().is_none().then_some(version)
}

fn acceptable((major, minor, _): (u64, u64, u64)) -> bool {
    (major, minor) >= CARGO_GENERATE_OLDEST
}

/// Whether `pkg-config` finds OpenSSL (for cargo-generate's libgit2 and libssh2).
fn has_openssl_headers() -> bool {
    Command::new("pkg-config")
        .args(["--exists", "openssl"])
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_versions() {
        assert_eq!(parse_version("0.23.14"), Some((0, 23, 14)));
        assert_eq!(parse_version("1.0.0"), Some((1, 0, 0)));
        assert_eq!(parse_version("0.23"), None);
        assert_eq!(parse_version("0.23.1.2"), None);
        assert_eq!(parse_version("0.23.x"), None);
        assert!(acceptable((0, 23, 0)));
        assert!(acceptable((0, 26, 1)));
        assert!(acceptable((1, 0, 0)));
        assert!(!acceptable((0, 22, 9)));
    }
}
