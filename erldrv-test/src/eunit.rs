//! Compiling Erlang test modules and running them with EUnit in a fresh `erl`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::build::Driver;
use crate::error::Error;
use crate::process::ErlOutput;
use crate::vm::{Job, VmConfig};

/// An EUnit run: which Erlang sources to compile, which modules to test, which drivers to
/// load, and how to start `erl`. Nothing happens until [`run`](Eunit::run).
///
/// [`Beam::eunit`](crate::Beam::eunit) makes one for the crate under test, with its driver
/// loaded; this is the general form, for any directories and drivers. The VM always has
/// the `erldrv` application and the test helpers `erldrv_test` on its code path.
///
/// ```no_run
/// use erldrv_test::{Build, Eunit};
///
/// let driver = Build::current().driver()?;
/// let out = Eunit::new("test")
///     .src_dir("test/common")
///     .module("echo_drv_tests")
///     .load(&driver)
///     .erl_args(["+S", "2", "+A", "4"])
///     .env("ECHO_SIZE", "65536")
///     .run();
/// assert!(out.stdout.contains("passed"));
/// # Ok::<(), erldrv_test::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "an Eunit does nothing until `.run()`"]
pub struct Eunit {
    config: VmConfig,
    modules: Vec<String>,
}

impl Eunit {
    /// Tests the Erlang sources (`*.erl`, not recursive) in `src_dir`. Relative paths are
    /// relative to the current directory, which under `cargo test` is the crate's manifest
    /// directory.
    ///
    /// ```no_run
    /// erldrv_test::Eunit::new("test").run();
    /// ```
    pub fn new(src_dir: impl Into<PathBuf>) -> Eunit {
        Eunit::with_config(VmConfig::default(), src_dir.into())
    }

    pub(crate) fn with_config(mut config: VmConfig, src_dir: PathBuf) -> Eunit {
        config.src_dirs.insert(0, src_dir);
        Eunit {
            config,
            modules: Vec::new(),
        }
    }

    /// Also compiles the sources in `dir` (e.g. shared Erlang helpers); its modules are
    /// loadable but not tested unless named with [`module`](Eunit::module). Every source
    /// directory is also an include (`-I`) directory.
    ///
    /// ```no_run
    /// erldrv_test::Eunit::new("test").src_dir("test/helpers").run();
    /// ```
    pub fn src_dir(mut self, dir: impl Into<PathBuf>) -> Eunit {
        self.config.src_dirs.push(dir.into());
        self
    }

    /// Tests module `name`. (For an existing module `m`, EUnit also runs the tests in
    /// `m_tests`; but `m_tests` can be named directly.) Without any, every module of the
    /// first directory whose name ends in `_tests` is tested.
    ///
    /// ```no_run
    /// erldrv_test::Eunit::new("test").module("my_drv_tests").run();
    /// ```
    pub fn module(mut self, name: &str) -> Eunit {
        self.modules.push(name.to_owned());
        self
    }

    /// Tells the Erlang side where `driver` is (sets [`DRIVER_DIR_ENV`](crate::DRIVER_DIR_ENV),
    /// which `erldrv_test:load/1` reads), without loading it.
    ///
    /// ```no_run
    /// let driver = erldrv_test::Build::current().driver()?;
    /// erldrv_test::Eunit::new("test").driver(&driver).run();
    /// # Ok::<(), erldrv_test::Error>(())
    /// ```
    pub fn driver(self, driver: &Driver) -> Eunit {
        self.driver_dir(&driver.dir)
    }

    /// Sets [`DRIVER_DIR_ENV`](crate::DRIVER_DIR_ENV) to `dir`.
    ///
    /// ```no_run
    /// erldrv_test::Eunit::new("test").driver_dir("priv").run();
    /// ```
    pub fn driver_dir(mut self, dir: impl AsRef<Path>) -> Eunit {
        self.config.driver_dir(dir.as_ref());
        self
    }

    /// Tells the Erlang side where `driver` is, and loads it (`erldrv:load/2`) before the
    /// tests: a driver that does not load fails the run with erldrv's reason before any
    /// test runs. It stays loaded while the tests run, so they can open ports right away
    /// (unless [`keep_loaded(false)`](Eunit::keep_loaded)).
    ///
    /// ```no_run
    /// let driver = erldrv_test::Build::current().driver()?;
    /// erldrv_test::Eunit::new("test").load(&driver).run();
    /// # Ok::<(), erldrv_test::Error>(())
    /// ```
    pub fn load(mut self, driver: &Driver) -> Eunit {
        self.config.loads.push(driver.clone());
        self.driver(driver)
    }

    /// With `false`, the drivers given to [`load`](Eunit::load) are loaded to check that
    /// they load, then unloaded again before the tests: for tests that load and unload the
    /// driver themselves and check that it goes (`erl_ddll` counts loads per process, and
    /// the runner's own load would keep it in). Default `true`.
    ///
    /// ```no_run
    /// erldrv_test::Beam::new().eunit().keep_loaded(false).run();
    /// ```
    pub fn keep_loaded(mut self, keep: bool) -> Eunit {
        self.config.keep_loaded = keep;
        self
    }

    /// Sets an environment variable for `erl`.
    ///
    /// ```no_run
    /// erldrv_test::Eunit::new("test").env("RUST_BACKTRACE", "1").run();
    /// ```
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Eunit {
        self.config.add_env(key.as_ref(), value.as_ref());
        self
    }

    /// Extra `erl` arguments, placed before the runner's (e.g. `["+S", "2"]`).
    ///
    /// ```no_run
    /// erldrv_test::Eunit::new("test").erl_args(["+A", "4"]).run();
    /// ```
    pub fn erl_args<I, S>(mut self, args: I) -> Eunit
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.config.add_erl_args(args);
        self
    }

    /// Kills `erl` and fails after `timeout` (default 300 s).
    ///
    /// ```no_run
    /// use std::time::Duration;
    ///
    /// erldrv_test::Eunit::new("test").timeout(Duration::from_secs(60)).run();
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Eunit {
        self.config.timeout = timeout;
        self
    }

    /// Where compiled code goes: `<dir>/ebin/...` (default: the `beam` directory of the
    /// running crate's target directory, as for [`Build`](crate::Build)).
    ///
    /// ```no_run
    /// erldrv_test::Eunit::new("test").work_dir("/tmp/my-tests").run();
    /// ```
    pub fn work_dir(mut self, dir: impl Into<PathBuf>) -> Eunit {
        self.config.work_dir = Some(dir.into());
        self
    }

    /// Compiles the sources and runs EUnit; prints and returns the output.
    ///
    /// ```no_run
    /// let out = erldrv_test::Eunit::new("test").run();
    /// assert!(out.stdout.contains("passed"));
    /// ```
    ///
    /// # Panics
    ///
    /// If Erlang is missing, a module does not compile, a driver does not load, or EUnit
    /// does not pass within the timeout; the message holds all of Erlang's output: EUnit's
    /// report and the VM's stderr (where a driver's panic message is).
    #[track_caller]
    pub fn run(self) -> ErlOutput {
        let out = self.try_run().unwrap_or_else(|e| panic!("{e}"));
        println!("{out}");
        out
    }

    /// Like [`run`](Eunit::run), but returns failures as `Err` with the message `run`
    /// would panic with.
    ///
    /// ```no_run
    /// use erldrv_test::ErrorKind;
    ///
    /// let err = erldrv_test::Eunit::new("test").module("failing_tests").try_run().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::EunitFailed);
    /// ```
    ///
    /// # Errors
    ///
    /// If Erlang is missing, a module does not compile, a driver does not load, or EUnit
    /// does not pass within the timeout.
    pub fn try_run(self) -> Result<ErlOutput, Error> {
        Ok(self.config.run(Job::Eunit(&self.modules))?.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DRIVER_DIR_ENV;

    #[test]
    fn builder_collects_settings() {
        let eunit = Eunit::new("t")
            .src_dir("common")
            .module("x_tests")
            .driver_dir("/d")
            .erl_args(["+S", "2"])
            .keep_loaded(false)
            .timeout(Duration::from_secs(5));
        assert_eq!(
            eunit.config.src_dirs,
            [PathBuf::from("t"), PathBuf::from("common")]
        );
        assert_eq!(eunit.modules, ["x_tests"]);
        assert_eq!(eunit.config.env, [(DRIVER_DIR_ENV.into(), "/d".into())]);
        assert_eq!(eunit.config.erl_args, ["+S", "2"]);
        assert!(!eunit.config.keep_loaded);
        assert_eq!(eunit.config.timeout, Duration::from_secs(5));
    }
}
