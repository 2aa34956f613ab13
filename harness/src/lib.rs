//! Builds erldrv drivers and runs Erlang tests against them in a real BEAM.
//!
//! The work is done by the published test kit, `erldrv-test` (building drivers, finding
//! Erlang, compiling, running `erl`, EUnit); this crate re-exports it and adds what only
//! this workspace needs: drivers named by package and built into
//! `<workspace>/target/beam`, the workspace root, installing tools, dialyzer.
//!
//! Used by the `tests/beam.rs` integration tests of driver crates and by
//! `cargo xtask`. A typical test:
//!
//! ```no_run
//! use erldrv_harness::{build_driver, Eunit};
//!
//! let driver = build_driver("echo_drv");
//! Eunit::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/erl"))
//!     .module("echo_drv_tests")
//!     .driver(&driver)
//!     .run();
//! ```
//!
//! The Erlang side finds the driver directory in the `ERLDRV_DRIVER_DIR`
//! environment variable ([`DRIVER_DIR_ENV`]) and loads the driver with
//! `erl_ddll:load_driver(os:getenv("ERLDRV_DRIVER_DIR"), "echo_drv")`.
//! [`install_driver`] puts a copy of a driver in another directory, under the
//! name `erl_ddll` looks for.
//!
//! [`tools`] finds (or installs) cargo-generate, rebar3 and mix for the tests of
//! the project template, following the install policy of [`apt`].
//!
//! Everything here fails loudly: a missing Erlang installation, a failed
//! build or a failed EUnit run panics with the full output, so a BEAM test
//! can never be silently skipped.

pub mod apt;
pub mod dialyzer;
mod driver;
pub mod http;
pub mod tools;

pub use driver::{build_driver, build_driver_release, erl, try_build_driver};
pub use erldrv_test::{
    DRIVER_DIR_ENV, Driver, ErlInfo, ErlOutput, Eunit, Profile, compile_erl, erl_atom, erl_string,
    find_program, install_driver, run_captured, wait_timeout,
};

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The root directory of the erldrv workspace (the directory whose
/// `Cargo.toml` has a `[workspace]` table).
///
/// Found by walking up from the `CARGO_MANIFEST_DIR` of the running crate
/// (set by `cargo test` and `cargo run`), falling back to where this crate
/// was compiled from, so it also works when a test binary is run directly.
///
/// # Panics
///
/// If no enclosing workspace manifest is found.
pub fn workspace_root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let starts = env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .into_iter()
            .chain([PathBuf::from(env!("CARGO_MANIFEST_DIR"))]);
        for start in starts {
            if let Some(root) = start
                .ancestors()
                .find(|dir| is_workspace_manifest(&dir.join("Cargo.toml")))
            {
                return root.to_path_buf();
            }
        }
        panic!(
            "no Cargo.toml with a [workspace] table above {}",
            env!("CARGO_MANIFEST_DIR")
        )
    })
}

fn is_workspace_manifest(path: &Path) -> bool {
    fs::read_to_string(path).is_ok_and(|text| {
        text.lines()
            .any(|line| line.split('#').next().unwrap_or("").trim() == "[workspace]")
    })
}

/// `<workspace>/target/beam`: the target directory of the nested driver
/// builds, and home of the built drivers and compiled Erlang code.
///
/// Separate from `target/` because the outer `cargo test` holds the lock on
/// that directory while the tests run; a nested build there would deadlock.
pub fn beam_dir() -> PathBuf {
    workspace_root().join("target").join("beam")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_root_has_harness() {
        let root = workspace_root();
        assert!(
            root.join("harness").join("Cargo.toml").is_file(),
            "{root:?}"
        );
        assert!(is_workspace_manifest(&root.join("Cargo.toml")));
        assert!(!is_workspace_manifest(
            &root.join("harness").join("Cargo.toml")
        ));
    }
}
