//! Compiling Erlang test modules and running them with EUnit in a fresh `erl`.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::process::{ErlOutput, run_captured};
use crate::{Driver, beam_dir, erl, erl_atom};

/// The environment variable through which the Erlang tests learn the driver
/// directory: `erl_ddll:load_driver(os:getenv("ERLDRV_DRIVER_DIR"), Name)`.
pub const DRIVER_DIR_ENV: &str = "ERLDRV_DRIVER_DIR";

/// Generous: a loaded CI machine with 2 cores can be very slow, and a hung
/// driver should still end in a failure with output rather than a stuck job.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// How long one `erlc` run may take.
const COMPILE_TIMEOUT: Duration = Duration::from_secs(300);

/// An EUnit run: which Erlang sources to compile, which modules to test, and
/// how to start `erl`. Nothing happens until [`run`](Eunit::run).
///
/// ```no_run
/// # use erldrv_harness::{build_driver, Eunit};
/// # let driver = build_driver("echo_drv");
/// let out = Eunit::new("tests/erl")
///     .src_dir("tests/erl/common")
///     .module("echo_drv_tests")
///     .driver(&driver)
///     .erl_args(["+S", "2", "+A", "4"])
///     .env("ECHO_SIZE", "65536")
///     .run();
/// assert!(out.stdout.contains("passed"));
/// ```
#[derive(Debug, Clone)]
#[must_use = "an Eunit does nothing until `.run()`"]
pub struct Eunit {
    src_dirs: Vec<PathBuf>,
    modules: Vec<String>,
    env: Vec<(OsString, OsString)>,
    erl_args: Vec<OsString>,
    timeout: Duration,
}

impl Eunit {
    /// Tests the Erlang sources (`*.erl`, not recursive) in `src_dir`.
    /// Relative paths are relative to the current directory, which under
    /// `cargo test` is the crate's manifest directory.
    pub fn new(src_dir: impl Into<PathBuf>) -> Eunit {
        Eunit {
            src_dirs: vec![src_dir.into()],
            modules: Vec::new(),
            env: Vec::new(),
            erl_args: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Also compiles the sources in `dir` (e.g. shared Erlang helpers); its
    /// modules are loadable but not tested unless named with [`module`](Eunit::module).
    /// Every source directory is also an include (`-I`) directory.
    pub fn src_dir(mut self, dir: impl Into<PathBuf>) -> Eunit {
        self.src_dirs.push(dir.into());
        self
    }

    /// Tests module `name`. (For an existing module `m`, EUnit also runs
    /// the tests in `m_tests`; but `m_tests` can be named directly.)
    /// Without any, every module of the first directory whose name ends in
    /// `_tests` is tested.
    pub fn module(mut self, name: &str) -> Eunit {
        self.modules.push(name.to_owned());
        self
    }

    /// Tells the Erlang side where `driver` is (sets [`DRIVER_DIR_ENV`]).
    pub fn driver(self, driver: &Driver) -> Eunit {
        self.driver_dir(&driver.dir)
    }

    /// Sets [`DRIVER_DIR_ENV`] to `dir`.
    pub fn driver_dir(self, dir: impl AsRef<Path>) -> Eunit {
        self.env(DRIVER_DIR_ENV, dir.as_ref())
    }

    /// Sets an environment variable for `erl`.
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Eunit {
        self.env
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Extra `erl` arguments, placed before `-eval` (e.g. `["+S", "2"]`).
    pub fn erl_args<I, S>(mut self, args: I) -> Eunit
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.erl_args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Kills `erl` and fails after `timeout` (default 300 s).
    pub fn timeout(mut self, timeout: Duration) -> Eunit {
        self.timeout = timeout;
        self
    }

    /// Compiles the sources and runs EUnit; prints and returns the output.
    ///
    /// # Panics
    ///
    /// If Erlang is missing, a module does not compile, or EUnit does not
    /// pass within the timeout; the message holds all of Erlang's output.
    pub fn run(self) -> ErlOutput {
        let out = self.try_run().unwrap_or_else(|e| panic!("{e}"));
        println!("{out}");
        out
    }

    /// Like [`run`](Eunit::run), but returns failures as `Err` with the
    /// message `run` would panic with (a missing Erlang still panics).
    ///
    /// # Errors
    ///
    /// If a module does not compile or EUnit does not pass within the timeout.
    pub fn try_run(self) -> Result<ErlOutput, String> {
        static RUNS: AtomicUsize = AtomicUsize::new(0);
        let info = erl();
        // Unique per run, so that concurrent tests never share compiled code.
        let label = self.modules.first().map_or("eunit", String::as_str);
        let run = RUNS.fetch_add(1, Ordering::Relaxed);
        let out_dir = beam_dir()
            .join("ebin")
            .join(format!("{label}-{}-{run}", std::process::id()));
        let _ = fs::remove_dir_all(&out_dir);

        let dirs: Vec<&Path> = self.src_dirs.iter().map(PathBuf::as_path).collect();
        if let Err(e) = compile_erl(&dirs, &out_dir) {
            let _ = fs::remove_dir_all(&out_dir);
            return Err(e);
        }
        let modules = if self.modules.is_empty() {
            test_modules(&self.src_dirs[0])?
        } else {
            self.modules
        };
        if modules.is_empty() {
            return Err(format!(
                "no EUnit modules: none named and no `*_tests.erl` in {}",
                self.src_dirs[0].display()
            ));
        }

        let mut cmd = Command::new(&info.erl);
        cmd.arg("-noshell")
            .arg("-pa")
            .arg(&out_dir)
            .args(&self.erl_args)
            .arg("-eval")
            .arg(eunit_eval(&modules))
            // Should the VM abort, keep its crash dump with the failed run.
            .env("ERL_CRASH_DUMP", out_dir.join("erl_crash.dump"))
            // Panic backtraces only where a test asks (`.env("RUST_BACKTRACE", "1")`): the
            // developer's own setting would change what the VM prints and how long the
            // first panic takes.
            .env("RUST_BACKTRACE", "0")
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        let shown = format!("{cmd:?}");
        let out = run_captured(&mut cmd, self.timeout)
            .map_err(|e| format!("could not run {shown}: {e}"))?;
        if !out.success() {
            let why = match out.status {
                Some(_) => "EUnit failed".to_owned(),
                None => format!("EUnit did not finish within {:?}", self.timeout),
            };
            return Err(format!(
                "{why} for {modules:?}\ncommand: {shown}\n{out}\n\
                 (compiled code and any erl_crash.dump kept in {})",
                out_dir.display()
            ));
        }
        let _ = fs::remove_dir_all(&out_dir);
        Ok(out)
    }
}

/// Runs EUnit on `modules` from the Erlang sources in `test_dir`, with
/// [`DRIVER_DIR_ENV`] set to `driver_dir`. Shorthand for [`Eunit`].
///
/// # Panics
///
/// Like [`Eunit::run`].
pub fn run_eunit(test_dir: &Path, modules: &[&str], driver_dir: &Path) -> ErlOutput {
    modules
        .iter()
        .fold(Eunit::new(test_dir), |eunit, m| eunit.module(m))
        .driver_dir(driver_dir)
        .run()
}

/// Compiles every `*.erl` file directly in `src_dirs` into `out_dir`
/// (created if needed) with `erlc`, and returns the module names.
///
/// # Errors
///
/// With `erlc`'s output if a file does not compile, or if there is nothing
/// to compile.
///
/// # Panics
///
/// If Erlang is not installed (see [`erl()`]).
pub fn compile_erl(src_dirs: &[&Path], out_dir: &Path) -> Result<Vec<String>, String> {
    let mut sources = Vec::new();
    for dir in src_dirs {
        sources.extend(erl_sources(dir)?);
    }
    if sources.is_empty() {
        return Err(format!("no .erl files in {src_dirs:?}"));
    }
    fs::create_dir_all(out_dir)
        .map_err(|e| format!("could not create {}: {e}", out_dir.display()))?;
    let mut cmd = Command::new(&erl().erlc);
    cmd.arg("-o").arg(out_dir);
    for dir in src_dirs {
        cmd.arg("-I").arg(dir);
    }
    cmd.args(&sources);
    let shown = format!("{cmd:?}");
    let out = run_captured(&mut cmd, COMPILE_TIMEOUT)
        .map_err(|e| format!("could not run {shown}: {e}"))?;
    if !out.success() {
        return Err(format!("compiling Erlang failed\ncommand: {shown}\n{out}"));
    }
    Ok(sources.iter().filter_map(|p| module_name(p)).collect())
}

/// The `*.erl` files directly in `dir`, sorted for a stable order.
fn erl_sources(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = fs::read_dir(dir)
        .map_err(|e| format!("could not read directory {}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "erl") && path.is_file())
        .collect();
    files.sort();
    Ok(files)
}

fn module_name(source: &Path) -> Option<String> {
    Some(source.file_stem()?.to_str()?.to_owned())
}

fn test_modules(dir: &Path) -> Result<Vec<String>, String> {
    Ok(erl_sources(dir)?
        .iter()
        .filter_map(|p| module_name(p))
        .filter(|m| m.ends_with("_tests"))
        .collect())
}

/// The `-eval` code: run EUnit, then halt with 0 only if it returned `ok`.
/// The `try` matters: an uncaught exception in `-eval` would end `erl` with
/// a bare "init terminating in do_boot" and a crash dump.
fn eunit_eval(modules: &[String]) -> String {
    let list: Vec<String> = modules.iter().map(|m| erl_atom(m)).collect();
    format!(
        "try eunit:test([{}], [verbose]) of \
         ok -> halt(0); \
         Other -> io:format(standard_error, \"~neunit:test/2 returned ~p~n\", [Other]), halt(1) \
         catch Class:Reason:Stack -> \
         io:format(standard_error, \"~neunit:test/2 raised ~p:~p~n~p~n\", [Class, Reason, Stack]), \
         halt(1) \
         end.",
        list.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eval_runs_eunit_on_quoted_modules_and_halts() {
        let eval = eunit_eval(&["a_tests".to_owned(), "B".to_owned()]);
        assert!(
            eval.starts_with("try eunit:test(['a_tests', 'B'], [verbose]) of ok -> halt(0); "),
            "{eval}"
        );
        assert!(eval.ends_with("halt(1) end."), "{eval}");
        assert_eq!(eval.matches("halt(").count(), 3, "{eval}");
    }

    #[test]
    fn builder_collects_settings() {
        let eunit = Eunit::new("t")
            .src_dir("common")
            .module("x_tests")
            .driver_dir("/d")
            .erl_args(["+S", "2"])
            .timeout(Duration::from_secs(5));
        assert_eq!(
            eunit.src_dirs,
            [PathBuf::from("t"), PathBuf::from("common")]
        );
        assert_eq!(eunit.modules, ["x_tests"]);
        assert_eq!(eunit.env, [(DRIVER_DIR_ENV.into(), "/d".into())]);
        assert_eq!(eunit.erl_args, ["+S", "2"]);
        assert_eq!(eunit.timeout, Duration::from_secs(5));
    }
}
