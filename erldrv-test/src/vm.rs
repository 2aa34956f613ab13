//! One run of `erl`: compile the test sources, write the job, start the VM with the
//! shipped runner module, and turn how it ended into a result or a readable [`Error`].

use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::build::{Build, Driver};
use crate::erl::{erl, erl_atom, erl_string};
use crate::erlang::{compile_erl, erldrv_ebin};
use crate::error::{Error, ErrorKind};
use crate::process::{ErlOutput, run_captured};

/// The environment variable through which the Erlang side learns the driver directory:
/// `erl_ddll:load_driver(os:getenv("ERLDRV_DRIVER_DIR"), Name)`, or `erldrv_test:load/1`,
/// which reads it.
///
/// ```
/// assert_eq!(erldrv_test::DRIVER_DIR_ENV, "ERLDRV_DRIVER_DIR");
/// ```
pub const DRIVER_DIR_ENV: &str = "ERLDRV_DRIVER_DIR";

/// Generous: a loaded CI machine with 2 cores can be very slow, and a hung driver should
/// still end in a failure with output rather than a stuck job.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// The runner's exit statuses (`erldrv_test_run.erl`).
const FAILED: i32 = 1;
const LOAD_FAILED: i32 = 3;
const SYNTAX: i32 = 4;

/// How to start the VM, shared by EUnit runs and snippets.
#[derive(Debug, Clone)]
pub(crate) struct VmConfig {
    pub(crate) src_dirs: Vec<PathBuf>,
    pub(crate) env: Vec<(OsString, OsString)>,
    pub(crate) erl_args: Vec<OsString>,
    pub(crate) timeout: Duration,
    pub(crate) loads: Vec<Driver>,
    pub(crate) keep_loaded: bool,
    pub(crate) work_dir: Option<PathBuf>,
}

impl Default for VmConfig {
    fn default() -> VmConfig {
        VmConfig {
            src_dirs: Vec::new(),
            env: Vec::new(),
            erl_args: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            loads: Vec::new(),
            keep_loaded: true,
            work_dir: None,
        }
    }
}

/// What the VM is asked to do.
pub(crate) enum Job<'a> {
    /// Evaluate the snippet; its value goes to a file.
    Eval(&'a str),
    /// Run EUnit on these modules, or on the `*_tests` modules of the first source
    /// directory when empty.
    Eunit(&'a [String]),
}

/// A finished run: the output, and for [`Job::Eval`] the value as text.
pub(crate) struct Ran {
    pub(crate) out: ErlOutput,
    pub(crate) value: Option<String>,
}

impl VmConfig {
    /// Sets [`DRIVER_DIR_ENV`] to `dir`.
    pub(crate) fn driver_dir(&mut self, dir: &Path) {
        self.add_env(DRIVER_DIR_ENV.as_ref(), dir.as_ref());
    }

    /// Sets an environment variable for `erl`.
    pub(crate) fn add_env(&mut self, key: &OsStr, value: &OsStr) {
        self.env.push((key.to_owned(), value.to_owned()));
    }

    /// Extra `erl` arguments.
    pub(crate) fn add_erl_args<S: AsRef<OsStr>>(&mut self, args: impl IntoIterator<Item = S>) {
        self.erl_args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
    }

    pub(crate) fn run(&self, job: Job<'_>) -> Result<Ran, Error> {
        static RUNS: AtomicUsize = AtomicUsize::new(0);
        let info = erl()?;
        let work_dir = match &self.work_dir {
            Some(dir) => dir.clone(),
            None => Build::current().work_dir()?,
        };
        let erldrv = erldrv_ebin(&work_dir)?;
        let label = match job {
            Job::Eval(_) => "eval",
            Job::Eunit(modules) => modules.first().map_or("eunit", String::as_str),
        };
        // Unique per run, so that concurrent tests never share compiled code.
        let run = RUNS.fetch_add(1, Ordering::Relaxed);
        let run_dir = work_dir
            .join("ebin")
            .join(format!("{label}-{}-{run}", std::process::id()));
        let _ = fs::remove_dir_all(&run_dir);
        let io = |e: std::io::Error| {
            Error::new(
                ErrorKind::Io,
                format!("writing into {}: {e}", run_dir.display()),
            )
        };
        fs::create_dir_all(&run_dir).map_err(io)?;

        let dirs: Vec<&Path> = self.src_dirs.iter().map(PathBuf::as_path).collect();
        if !dirs.is_empty() {
            compile_erl(&dirs, &run_dir)?;
        }
        let result_file = run_dir.join("result.txt");
        let (action, what) = match job {
            Job::Eval(code) => (
                format!(
                    "{{eval, {}, {}}}.",
                    erl_string(code),
                    erl_string(&result_file.to_string_lossy())
                ),
                format!(
                    "the Erlang snippet\n    {}\n",
                    code.trim().replace('\n', "\n    ")
                ),
            ),
            Job::Eunit(modules) => {
                let modules = if modules.is_empty() {
                    let first = self.src_dirs.first().ok_or_else(|| {
                        Error::new(
                            ErrorKind::EunitFailed,
                            "no EUnit modules and no test directory",
                        )
                    })?;
                    crate::erlang::test_modules(first)?
                } else {
                    modules.to_vec()
                };
                if modules.is_empty() {
                    return Err(Error::new(
                        ErrorKind::EunitFailed,
                        format!(
                            "no EUnit modules: none named and no `*_tests.erl` in {}",
                            self.src_dirs[0].display()
                        ),
                    ));
                }
                let list: Vec<String> = modules.iter().map(|m| erl_atom(m)).collect();
                (
                    format!("{{eunit, [{}]}}.", list.join(", ")),
                    format!("EUnit for {modules:?}"),
                )
            }
        };
        let job_file = run_dir.join("job.config");
        fs::write(&job_file, self.job_text(&action)).map_err(io)?;

        let mut cmd = Command::new(&info.erl);
        cmd.arg("-noshell")
            .arg("-pa")
            .arg(&erldrv)
            .arg("-pa")
            .arg(&run_dir)
            .args(&self.erl_args)
            .args(["-run", "erldrv_test_run", "main"])
            .arg(&job_file)
            // Should the VM abort, keep its crash dump with the failed run.
            .env("ERL_CRASH_DUMP", run_dir.join("erl_crash.dump"))
            // Panic backtraces only where a test asks (`.env("RUST_BACKTRACE", "1")`): the
            // developer's own setting would change what the VM prints and how long the
            // first panic takes.
            .env("RUST_BACKTRACE", "0")
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        let shown = format!("{cmd:?}");
        let out = run_captured(&mut cmd, self.timeout)
            .map_err(|e| Error::new(ErrorKind::Io, format!("could not run {shown}: {e}")))?;
        let failure = match out.status.map(|s| s.code()) {
            Some(Some(0)) => None,
            None => Some((
                ErrorKind::Timeout,
                format!(
                    "did not finish within {:?}: the VM was killed",
                    self.timeout
                ),
            )),
            Some(Some(FAILED)) if matches!(job, Job::Eval(_)) => {
                Some((ErrorKind::Raised, "raised an exception".to_owned()))
            }
            Some(Some(FAILED)) => Some((ErrorKind::EunitFailed, "failed".to_owned())),
            Some(Some(LOAD_FAILED)) => Some((
                ErrorKind::Load,
                "could not run: the driver did not load".to_owned(),
            )),
            Some(Some(SYNTAX)) => Some((ErrorKind::Syntax, "does not parse".to_owned())),
            Some(_) => Some((
                ErrorKind::VmFailed,
                "could not finish: the VM ended abnormally (a crash or an abort; see its \
                 stderr)"
                    .to_owned(),
            )),
        };
        if let Some((kind, why)) = failure {
            return Err(Error::new(
                kind,
                format!(
                    "{what} {why}\ncommand: {shown}\n{out}\n\
                     (compiled code and any erl_crash.dump kept in {})",
                    run_dir.display()
                ),
            ));
        }
        let value = match job {
            Job::Eval(_) => Some(fs::read_to_string(&result_file).map_err(|e| {
                Error::new(
                    ErrorKind::Io,
                    format!("reading {}: {e}\n{out}", result_file.display()),
                )
            })?),
            Job::Eunit(_) => None,
        };
        let _ = fs::remove_dir_all(&run_dir);
        Ok(Ran { out, value })
    }

    /// The job file's terms (`file:consult/1`).
    fn job_text(&self, action: &str) -> String {
        let loads: Vec<String> = self
            .loads
            .iter()
            .map(|d| {
                format!(
                    "{{{}, {}}}",
                    erl_string(&d.dir.to_string_lossy()),
                    erl_string(&d.name)
                )
            })
            .collect();
        let mut text = String::new();
        let _ = writeln!(text, "{{load, [{}]}}.", loads.join(", "));
        let _ = writeln!(text, "{{keep_loaded, {}}}.", self.keep_loaded);
        let _ = writeln!(text, "{action}");
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_names_loads_and_action() {
        let mut config = VmConfig::default();
        config.loads.push(Driver {
            name: "my_drv".into(),
            dir: "/t/d".into(),
            path: "/t/d/my_drv.so".into(),
        });
        config.keep_loaded = false;
        assert_eq!(
            config.job_text("{eunit, ['a_tests']}."),
            "{load, [{\"/t/d\", \"my_drv\"}]}.\n{keep_loaded, false}.\n{eunit, ['a_tests']}.\n"
        );
    }
}
