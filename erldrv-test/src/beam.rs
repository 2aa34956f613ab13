//! `Beam`: the crate under test, built and loaded in a fresh Erlang VM.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::time::Duration;

use crate::build::{Build, Driver, Profile};
use crate::error::Error;
use crate::eunit::Eunit;
use crate::vm::{Job, VmConfig};

/// A driver crate to test in a real Erlang VM: how to build it and how to start `erl`.
///
/// Each [`eval`](Beam::eval) or [`eunit`](Beam::eunit) run builds the driver (once per
/// process), starts a fresh `erl -noshell` with the `erldrv` application and the
/// `erldrv_test` helpers on its code path and [`DRIVER_DIR_ENV`](crate::DRIVER_DIR_ENV)
/// set, loads the driver with `erldrv:load/2`, and runs Erlang code against it. Failures
/// panic with everything needed to see why: the Erlang exception and its stack, EUnit's
/// report, and the VM's stderr, where a driver's panic message is.
///
/// ```no_run
/// use erldrv_test::Beam;
///
/// #[test]
/// fn echoes() {
///     let beam = Beam::new();
///     let reply = beam.eval(
///         r#"P = open_port({spawn_driver, "echo_drv"}, [binary]),
///            port_control(P, 0, <<"hi">>)"#,
///     );
///     assert_eq!(reply, "\"hi\"");
/// }
///
/// #[test]
/// fn eunit_modules_pass() {
///     Beam::new().eunit().run(); // every test/*_tests.erl
/// }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a Beam does nothing until `.eval(...)` or `.eunit().run()`"]
pub struct Beam {
    build: Build,
    config: VmConfig,
}

impl Default for Beam {
    fn default() -> Beam {
        Beam::new()
    }
}

impl Beam {
    /// The crate whose tests are running ([`Build::current`]), built in debug mode.
    ///
    /// ```no_run
    /// assert_eq!(erldrv_test::Beam::new().eval("1 + 1"), "2");
    /// ```
    pub fn new() -> Beam {
        Beam::with_build(Build::current())
    }

    /// The driver crate `build` describes (another directory, a package of a workspace,
    /// a target directory of its own).
    ///
    /// ```no_run
    /// use erldrv_test::{Beam, Build};
    ///
    /// let beam = Beam::with_build(Build::at("../echo").release());
    /// ```
    pub fn with_build(build: Build) -> Beam {
        Beam {
            build,
            config: VmConfig::default(),
        }
    }

    /// Builds the driver with `cargo build --release` instead of in debug mode.
    ///
    /// ```no_run
    /// erldrv_test::Beam::new().release().eunit().run();
    /// ```
    pub fn release(self) -> Beam {
        self.profile(Profile::Release)
    }

    /// Builds the driver with `profile`.
    ///
    /// ```no_run
    /// erldrv_test::Beam::new().profile(erldrv_test::Profile::Debug).eunit().run();
    /// ```
    pub fn profile(mut self, profile: Profile) -> Beam {
        self.build = self.build.profile(profile);
        self
    }

    /// Also compiles the Erlang sources in `dir` (`*.erl`, not recursive) and puts them on
    /// the code path: helper modules a snippet calls.
    ///
    /// ```no_run
    /// let beam = erldrv_test::Beam::new().src_dir("test/helpers");
    /// assert_eq!(beam.eval("my_helpers:answer()"), "42");
    /// ```
    pub fn src_dir(mut self, dir: impl Into<PathBuf>) -> Beam {
        self.config.src_dirs.push(dir.into());
        self
    }

    /// Sets an environment variable for `erl` (which the driver sees too).
    ///
    /// ```no_run
    /// erldrv_test::Beam::new().env("RUST_BACKTRACE", "1").eunit().run();
    /// ```
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Beam {
        self.config.add_env(key.as_ref(), value.as_ref());
        self
    }

    /// Extra `erl` arguments (e.g. `["+S", "2"]`).
    ///
    /// ```no_run
    /// erldrv_test::Beam::new().erl_args(["+A", "4"]).eunit().run();
    /// ```
    pub fn erl_args<I, S>(mut self, args: I) -> Beam
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.config.add_erl_args(args);
        self
    }

    /// Kills `erl` and fails after `timeout` (default 300 s): a hung driver ends in a
    /// failure with the output so far, not in a stuck test.
    ///
    /// ```no_run
    /// use std::time::Duration;
    ///
    /// erldrv_test::Beam::new().timeout(Duration::from_secs(30)).eunit().run();
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Beam {
        self.config.timeout = timeout;
        self
    }

    /// The built driver (building it, once per process).
    ///
    /// ```no_run
    /// let driver = erldrv_test::Beam::new().driver();
    /// println!("{}", driver.path.display());
    /// ```
    ///
    /// # Panics
    ///
    /// If the build fails, with cargo's output.
    #[track_caller]
    pub fn driver(&self) -> Driver {
        self.try_driver().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Like [`driver`](Beam::driver), returning a failure as `Err`.
    ///
    /// ```no_run
    /// let driver = erldrv_test::Beam::new().try_driver()?;
    /// # Ok::<(), erldrv_test::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// If the build fails.
    pub fn try_driver(&self) -> Result<Driver, Error> {
        self.build.driver()
    }

    /// Evaluates `code`, Erlang expressions separated by commas (the final `.` may be left
    /// out), in a fresh VM where the driver is loaded, and returns the value of the last
    /// one as Erlang prints it (`~tp`, on one line): `"ok"`, `"{ok,5}"`, `"<<\"hi\">>"`.
    ///
    /// The code runs in the process that loaded the driver, so it can open ports
    /// (`erldrv:open/2`, `open_port({spawn_driver, Name}, Opts)`) and receive their
    /// messages. It cannot define functions, but can use `fun`s.
    ///
    /// ```no_run
    /// let beam = erldrv_test::Beam::new();
    /// let total = beam.eval(
    ///     "P = erldrv:open(\"counter_drv\", []),
    ///      port_command(P, <<\"abc\">>),
    ///      receive {P, {total, T}} -> T after 5000 -> timeout end",
    /// );
    /// assert_eq!(total, "3");
    /// ```
    ///
    /// # Panics
    ///
    /// If the driver does not build or load, the code does not parse, it raises (the
    /// message has the exception and its stack), the VM crashes (with its stderr, where a
    /// driver's panic message is), or it does not finish within the timeout.
    #[track_caller]
    pub fn eval(&self, code: &str) -> String {
        self.try_eval(code).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Like [`eval`](Beam::eval), returning a failure as `Err`, whose
    /// [`kind`](Error::kind) says which step failed.
    ///
    /// ```no_run
    /// use erldrv_test::ErrorKind;
    ///
    /// let err = erldrv_test::Beam::new().try_eval("error(boom)").unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::Raised);
    /// assert!(err.to_string().contains("boom"));
    /// ```
    ///
    /// # Errors
    ///
    /// As [`eval`](Beam::eval) panics.
    pub fn try_eval(&self, code: &str) -> Result<String, Error> {
        let config = self.loaded()?;
        let ran = config.run(Job::Eval(code))?;
        Ok(ran.value.unwrap_or_default())
    }

    /// An EUnit run of the modules of the crate's `test/` directory whose names end in
    /// `_tests`, with the driver loaded first. [`Eunit`]'s methods pick other modules or
    /// directories ([`Eunit::module`], [`Eunit::src_dir`]); this `Beam`'s settings apply.
    ///
    /// ```no_run
    /// erldrv_test::Beam::new().eunit().module("my_drv_tests").run();
    /// ```
    ///
    /// # Panics
    ///
    /// If the driver does not build.
    #[track_caller]
    pub fn eunit(&self) -> Eunit {
        self.eunit_dir("test")
    }

    /// Like [`eunit`](Beam::eunit), with the modules of `dir` (relative to the crate's
    /// directory, when relative).
    ///
    /// ```no_run
    /// erldrv_test::Beam::new().eunit_dir("tests/erl").run();
    /// ```
    ///
    /// # Panics
    ///
    /// If the driver does not build.
    #[track_caller]
    pub fn eunit_dir(&self, dir: impl Into<PathBuf>) -> Eunit {
        let config = self.loaded().unwrap_or_else(|e| panic!("{e}"));
        let dir = dir.into();
        let dir = if dir.is_relative() {
            self.build.manifest_dir().join(dir)
        } else {
            dir
        };
        Eunit::with_config(config, dir)
    }

    /// The VM settings with the driver built, to be loaded, and the compiled code going
    /// next to it. Finds Erlang first: without it, there is no point in building.
    fn loaded(&self) -> Result<VmConfig, Error> {
        crate::erl::erl()?;
        let driver = self.build.driver()?;
        let mut config = self.config.clone();
        config.work_dir = Some(self.build.work_dir()?);
        config.driver_dir(&driver.dir);
        config.loads.push(driver);
        Ok(config)
    }
}
