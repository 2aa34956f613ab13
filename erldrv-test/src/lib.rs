//! A test kit for [erldrv](https://crates.io/crates/erldrv) drivers: from the driver
//! crate's own `cargo test`, build the driver, start a real Erlang VM, load the driver,
//! and run Erlang code or EUnit modules against it.
//!
//! Add it as a dev-dependency of the driver crate (a `cdylib`):
//!
//! ```toml
//! [dev-dependencies]
//! erldrv-test = "0.1"
//! ```
//!
//! and write a test, e.g. `tests/beam.rs`:
//!
//! ```no_run
//! use erldrv_test::Beam;
//!
//! #[test]
//! fn control_echoes() {
//!     // Builds this crate's driver, starts `erl`, loads the driver, runs the snippet.
//!     let reply = Beam::new().eval(
//!         r#"P = open_port({spawn_driver, "echo_drv"}, [binary]),
//!            port_control(P, 0, <<"hello">>)"#,
//!     );
//!     assert_eq!(reply, r#""hello""#);
//! }
//!
//! #[test]
//! fn eunit_modules_pass() {
//!     // Compiles test/*.erl and runs EUnit on the `*_tests` modules, driver loaded.
//!     Beam::new().eunit().run();
//! }
//! ```
//!
//! What happens:
//!
//! - **The driver is built** by a nested `cargo build --lib` of the crate under test (the
//!   one in `CARGO_MANIFEST_DIR`, a workspace member or not), in debug mode unless asked
//!   for `release`, into `<target>/beam`, and installed as `<target>/beam/drivers/<name>.so`
//!   — the name `erl_ddll` opens ([`Build`]).
//! - **`erl` is found on `PATH`**, with `erlc`. When it is missing the test fails, saying
//!   so and how to install Erlang/OTP ([`INSTALL_HINT`]); it is never skipped, and nothing
//!   is installed behind your back.
//! - **The VM has erldrv's Erlang side**: the `erldrv` application (`erldrv:load/2`,
//!   `erldrv:open/2`, `erldrv:call/3`, commands, `erldrv_gen`) and the test helpers of
//!   `erldrv_test` (`load/1`, `open/1`, `recv_data/1`, `recv_panic/1`, `wait_until/2`),
//!   shipped inside this crate and compiled with `erlc` on first use.
//! - **The driver is loaded** with `erldrv:load/2` before your code runs: a driver that
//!   does not load fails with erldrv's explanation. The directory is also in the
//!   `ERLDRV_DRIVER_DIR` environment variable ([`DRIVER_DIR_ENV`]).
//! - **Failures are readable**: the panic message of the Rust test has the Erlang
//!   exception with its stack, EUnit's report, and the VM's stderr (where a driver's panic
//!   message is written); a VM that hangs is killed after a timeout (300 s by default)
//!   and reported with what it printed.
//!
//! The `try_` forms ([`Beam::try_eval`], [`Eunit::try_run`]) return an [`Error`] instead
//! of panicking, whose [`ErrorKind`] says which step failed.
#![deny(missing_docs)]

mod beam;
mod build;
mod erl;
mod erlang;
mod error;
mod eunit;
mod process;
mod vm;

pub use beam::Beam;
pub use build::{Build, Driver, Profile, install_driver};
pub use erl::{ErlInfo, INSTALL_HINT, erl, erl_atom, erl_string, find_program};
pub use erlang::compile_erl;
pub use error::{Error, ErrorKind};
pub use eunit::Eunit;
pub use process::{ErlOutput, run_captured, wait_timeout};
pub use vm::DRIVER_DIR_ENV;
