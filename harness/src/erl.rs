//! Finding the Erlang/OTP installation, and quoting Rust strings for Erlang.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use crate::find_program;
use crate::process::run_captured;

/// Where Erlang/OTP is installed.
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
    /// Unlike [`erl()`], never panics and never caches.
    ///
    /// # Errors
    ///
    /// A readable reason if a program is missing or `erl` does not answer.
    pub fn detect() -> Result<ErlInfo, String> {
        let erl = find_program("erl").ok_or("`erl` was not found on PATH")?;
        let erlc = find_program("erlc").ok_or("`erlc` was not found on PATH")?;
        let mut cmd = Command::new(&erl);
        cmd.args(["-noshell", "-eval", QUERY])
            .env("ERL_CRASH_DUMP_SECONDS", "0");
        let out = run_captured(&mut cmd, QUERY_TIMEOUT)
            .map_err(|e| format!("could not run {}: {e}", erl.display()))?;
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
            _ => Err(format!(
                "{} did not report its installation:\n{out}",
                erl.display()
            )),
        }
    }

    /// `<root>/usr/include`, where `erl_driver.h` lives.
    pub fn include_dir(&self) -> PathBuf {
        self.root_dir.join("usr").join("include")
    }

    /// Whether the driver development header `erl_driver.h` is installed
    /// (on Debian it comes with `erlang-dev`, not with `erl` itself).
    pub fn has_driver_header(&self) -> bool {
        self.include_dir().join("erl_driver.h").is_file()
    }
}

/// The Erlang/OTP installation on `PATH`, detected once per process.
///
/// # Panics
///
/// If `erl` or `erlc` is missing or broken. The BEAM tests must fail loudly
/// rather than be skipped, so the message says how to install Erlang.
pub fn erl() -> &'static ErlInfo {
    static INFO: OnceLock<ErlInfo> = OnceLock::new();
    INFO.get_or_init(|| {
        ErlInfo::detect().unwrap_or_else(|reason| {
            panic!(
                "the BEAM tests need Erlang/OTP, but {reason}.\n\
                 Install it by running `cargo xtask test` (as root on Debian/Ubuntu it \
                 installs Erlang itself), or directly, as root:\n    \
                 apt-get install -y erlang-nox erlang-dev"
            )
        })
    })
}

/// `s` as an Erlang string literal (`"..."`), for building `-eval` code.
///
/// Everything outside printable ASCII is written as `\x{...}`, so the result
/// means the same whatever encoding `erl` assumes for its arguments.
pub fn erl_string(s: &str) -> String {
    quote(s, '"')
}

/// `s` as a quoted Erlang atom (`'...'`), valid for any module name.
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
}
