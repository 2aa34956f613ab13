//! Finding the Erlang/OTP installation, and quoting Rust strings for Erlang.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use crate::error::{Error, ErrorKind};
use crate::process::run_captured;

/// Where Erlang/OTP is installed.
///
/// ```no_run
/// let info = erldrv_test::erl()?;
/// println!("OTP {} in {}", info.otp_release, info.root_dir.display());
/// assert!(info.include_dir().join("erl_driver.h").is_file());
/// # Ok::<(), erldrv_test::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErlInfo {
    /// The `erl` program found on `PATH`.
    pub erl: PathBuf,
    /// The `erlc` compiler found on `PATH`.
    pub erlc: PathBuf,
    /// The OTP root directory, `code:root_dir()` (e.g. `/usr/lib/erlang`).
    pub root_dir: PathBuf,
    /// The OTP release, `erlang:system_info(otp_release)` (e.g. `"25"`).
    pub otp_release: String,
    /// The `erl_interface` application, `code:lib_dir(erl_interface)`: ei's `include/` and
    /// `lib/` directories (Debian ships it in `erlang-dev`). `None` if it is not installed.
    pub erl_interface_dir: Option<PathBuf>,
}

/// How long asking `erl` about itself may take; it normally takes ~0.2 s.
const QUERY_TIMEOUT: Duration = Duration::from_secs(60);

/// Prints the answers on marked lines so that anything else the VM might
/// print (a banner, a warning) cannot be mistaken for them.
const QUERY: &str = "io:format(\"~nerldrv-root=~ts~nerldrv-otp=~ts~nerldrv-ei=~ts~n\", \
                     [code:root_dir(), erlang:system_info(otp_release), \
                      case code:lib_dir(erl_interface) of {error, _} -> \"\"; Ei -> Ei end]), \
                     halt().";

impl ErlInfo {
    /// Looks for `erl` and `erlc` on `PATH` and asks `erl` where OTP lives.
    /// Unlike [`erl()`], never caches. Never installs anything either: a missing program
    /// is an error of kind [`ErrorKind::ErlNotFound`] that says how to install Erlang/OTP.
    ///
    /// ```no_run
    /// match erldrv_test::ErlInfo::detect() {
    ///     Ok(info) => println!("OTP {}", info.otp_release),
    ///     Err(e) => eprintln!("{e}"),
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// A readable reason if a program is missing or `erl` does not answer.
    pub fn detect() -> Result<ErlInfo, Error> {
        let erl = find_program("erl").ok_or_else(|| not_found("erl"))?;
        let erlc = find_program("erlc").ok_or_else(|| not_found("erlc"))?;
        let mut cmd = Command::new(&erl);
        cmd.args(["-noshell", "-eval", QUERY])
            .env("ERL_CRASH_DUMP_SECONDS", "0");
        let out = run_captured(&mut cmd, QUERY_TIMEOUT).map_err(|e| {
            Error::new(
                ErrorKind::ErlNotFound,
                format!("could not run {}: {e}\n{INSTALL_HINT}", erl.display()),
            )
        })?;
        let field = |key: &str| {
            out.stdout
                .lines()
                .find_map(|line| line.strip_prefix(key))
                .map(str::to_owned)
        };
        match (out.success(), field("erldrv-root="), field("erldrv-otp=")) {
            (true, Some(root), Some(release)) => Ok(ErlInfo {
                erl,
                erlc,
                root_dir: root.into(),
                otp_release: release,
                erl_interface_dir: field("erldrv-ei=")
                    .filter(|dir| !dir.is_empty())
                    .map(PathBuf::from),
            }),
            _ => Err(Error::new(
                ErrorKind::ErlNotFound,
                format!(
                    "{} did not report its installation:\n{out}\n{INSTALL_HINT}",
                    erl.display()
                ),
            )),
        }
    }

    /// `<root>/usr/include`, where `erl_driver.h` lives.
    ///
    /// ```no_run
    /// let header = erldrv_test::erl()?.include_dir().join("erl_driver.h");
    /// # Ok::<(), erldrv_test::Error>(())
    /// ```
    pub fn include_dir(&self) -> PathBuf {
        self.root_dir.join("usr").join("include")
    }

    /// Whether the driver development header `erl_driver.h` is installed
    /// (on Debian it comes with `erlang-dev`, not with `erl` itself).
    ///
    /// ```no_run
    /// assert!(erldrv_test::erl()?.has_driver_header());
    /// # Ok::<(), erldrv_test::Error>(())
    /// ```
    pub fn has_driver_header(&self) -> bool {
        self.include_dir().join("erl_driver.h").is_file()
    }
}

/// How to get Erlang/OTP, for the message of a missing `erl`.
pub const INSTALL_HINT: &str = "erldrv-test runs drivers in a real Erlang VM, so the tests need \
Erlang/OTP 19 or later with `erl` and `erlc` on PATH. Install it with your system's packages \
(Debian/Ubuntu: `sudo apt-get install erlang-nox erlang-dev`; Fedora: `sudo dnf install \
erlang`; macOS: `brew install erlang`) or with kerl or asdf, then run the tests again.";

fn not_found(program: &str) -> Error {
    let path = env::var_os("PATH").unwrap_or_default();
    Error::new(
        ErrorKind::ErlNotFound,
        format!(
            "`{program}` was not found on PATH ({}).\n{INSTALL_HINT}",
            path.to_string_lossy()
        ),
    )
}

/// The Erlang/OTP installation on `PATH`, detected once per process (see
/// [`ErlInfo::detect`]).
///
/// ```no_run
/// let erlc = &erldrv_test::erl()?.erlc;
/// # Ok::<(), erldrv_test::Error>(())
/// ```
///
/// # Errors
///
/// If `erl` or `erlc` is missing or broken: the message says how to install Erlang/OTP.
/// Nothing is ever installed, and a test that needs Erlang is never skipped.
pub fn erl() -> Result<&'static ErlInfo, Error> {
    static INFO: OnceLock<Result<ErlInfo, Error>> = OnceLock::new();
    INFO.get_or_init(ErlInfo::detect)
        .as_ref()
        .map_err(Clone::clone)
}

/// The first executable called `name` on `PATH`, like `command -v`.
///
/// ```
/// # #[cfg(unix)]
/// assert!(erldrv_test::find_program("sh").is_some());
/// assert_eq!(erldrv_test::find_program("surely-no-such-program-here"), None);
/// ```
pub fn find_program(name: &str) -> Option<PathBuf> {
    let file = format!("{name}{}", env::consts::EXE_SUFFIX);
    env::split_paths(&env::var_os("PATH")?)
        // An empty PATH entry means the current directory; never look there.
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(&file))
        .find(|path| is_executable(path))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// `s` as an Erlang string literal (`"..."`), for building `-eval` code.
///
/// Everything outside printable ASCII is written as `\x{...}`, so the result
/// means the same whatever encoding `erl` assumes for its arguments.
///
/// ```
/// assert_eq!(erldrv_test::erl_string("a \"b\""), r#""a \"b\"""#);
/// assert_eq!(erldrv_test::erl_string("é"), r#""\x{E9}""#);
/// ```
pub fn erl_string(s: &str) -> String {
    quote(s, '"')
}

/// `s` as a quoted Erlang atom (`'...'`), valid for any module name.
///
/// ```
/// assert_eq!(erldrv_test::erl_atom("my_drv_tests"), "'my_drv_tests'");
/// ```
pub fn erl_atom(s: &str) -> String {
    quote(s, '\'')
}

fn quote(s: &str, delimiter: char) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(delimiter);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if c == delimiter => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            c => {
                let _ = write!(out, "\\x{{{:X}}}", u32::from(c));
            }
        }
    }
    out.push(delimiter);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_erlang_literals() {
        assert_eq!(erl_string("/tmp/a b"), r#""/tmp/a b""#);
        assert_eq!(erl_string(r#"q"\'"#), r#""q\"\\'""#);
        assert_eq!(erl_string("é\n"), r#""\x{E9}\x{A}""#);
        assert_eq!(erl_atom("echo_drv_tests"), "'echo_drv_tests'");
        assert_eq!(erl_atom("it's"), r"'it\'s'");
    }

    #[cfg(unix)]
    #[test]
    fn finds_programs_on_path() {
        assert!(find_program("sh").is_some());
        assert_eq!(find_program("surely-no-such-program-here"), None);
    }
}
