//! Dialyzer over a few Erlang modules, for tests that check what specs say: compile the
//! sources with debug info, build a small PLT from some of them, analyse the others, and
//! read which lines the report names. A PLT of a handful of modules builds in well under a
//! second, so every test can have its own.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{erl, tools};

/// Modules compiled into a directory, with a PLT built from some of them.
#[derive(Debug)]
pub struct Dialyzer {
    program: PathBuf,
    dir: PathBuf,
    plt: PathBuf,
}

impl Dialyzer {
    /// Compiles `sources` (with `+debug_info`, warnings as errors) into `dir` and builds a
    /// PLT there from the modules named in `plt` (those the analysed modules call).
    /// `dialyzer` is found, or installed as root (Debian: `erlang-dialyzer`).
    ///
    /// # Panics
    /// When dialyzer cannot be had, a source does not compile, or the PLT cannot be built:
    /// the message has the tool's output.
    pub fn new(dir: &Path, sources: &[PathBuf], plt: &[&str]) -> Dialyzer {
        let program = tools::dialyzer().unwrap_or_else(|e| panic!("{e}"));
        run(Command::new(&erl().erlc)
            .args(["+debug_info", "+warnings_as_errors", "-o"])
            .arg(dir)
            .args(sources));
        let d = Dialyzer {
            program,
            dir: dir.to_path_buf(),
            plt: dir.join("tests.plt"),
        };
        run(Command::new(&d.program)
            .args(["--build_plt", "--output_plt"])
            .arg(&d.plt)
            .args(plt.iter().map(|m| d.beam(m))));
        d
    }

    /// Dialyzer's report on `modules` (compiled by [`new`](Dialyzer::new)) against the PLT:
    /// its standard output, warnings or "passed successfully".
    ///
    /// # Panics
    /// When dialyzer cannot be run.
    pub fn analyse(&self, modules: &[&str]) -> String {
        let out = Command::new(&self.program)
            .arg("--plt")
            .arg(&self.plt)
            .args(modules.iter().map(|m| self.beam(m)))
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.program.display()));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn beam(&self, module: &str) -> PathBuf {
        self.dir.join(format!("{module}.beam"))
    }
}

/// The lines of `file` (a source's file name, such as `"client.erl"`) that a dialyzer
/// `report` warns about, in order, each once.
pub fn warned_lines(report: &str, file: &str) -> Vec<usize> {
    let prefix = format!("{file}:");
    let mut lines: Vec<usize> = report
        .lines()
        .filter_map(|l| l.strip_prefix(prefix.as_str()))
        .filter_map(|l| l.split(':').next()?.parse().ok())
        .collect();
    lines.dedup();
    lines
}

fn run(cmd: &mut Command) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[cfg(test)]
mod tests {
    use super::warned_lines;

    #[test]
    fn lines_named_by_a_report() {
        let report = "\
  Checking whether the PLT is up-to-date... yes
client.erl:12:5: The call ...
bad.erl:7:1: Function f/0 has no local return
bad.erl:7:10: The call ...
bad.erl:9:1: Function g/0 has no local return
";
        assert_eq!(warned_lines(report, "bad.erl"), vec![7, 9]);
        assert_eq!(warned_lines(report, "client.erl"), vec![12]);
        assert!(warned_lines(report, "good.erl").is_empty());
    }
}
