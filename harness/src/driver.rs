//! The workspace's drivers, built by package name into `<workspace>/target/beam` with the
//! test kit's [`Build`], and Erlang found with the kit's [`erldrv_test::erl`].

use std::sync::OnceLock;

use erldrv_test::{Build, Driver, ErlInfo, Profile};

use crate::{beam_dir, workspace_root};

/// Builds the workspace package `package` (a `cdylib`) in debug mode and returns where its
/// driver is: `<workspace>/target/beam/drivers/<name>.so`.
///
/// # Panics
///
/// If the build fails (with cargo's output) or yields no `cdylib`.
pub fn build_driver(package: &str) -> Driver {
    try_build_driver(package, Profile::Debug).unwrap_or_else(|e| panic!("{e}"))
}

/// Like [`build_driver`], but with `--release` (installed in `drivers/release`).
///
/// # Panics
///
/// If the build fails (with cargo's output) or yields no `cdylib`.
pub fn build_driver_release(package: &str) -> Driver {
    try_build_driver(package, Profile::Release).unwrap_or_else(|e| panic!("{e}"))
}

/// Builds the workspace package `package` with `profile` into `<workspace>/target/beam`
/// ([`Build`]), once per process.
///
/// # Errors
///
/// A message with cargo's full output if the build fails.
pub fn try_build_driver(package: &str, profile: Profile) -> Result<Driver, String> {
    Ok(Build::at(workspace_root())
        .package(package)
        .profile(profile)
        .target_dir(beam_dir())
        .driver()?)
}

/// The Erlang/OTP installation on `PATH`, detected once per process.
///
/// # Panics
///
/// If `erl` or `erlc` is missing or broken. The BEAM tests must fail loudly rather than be
/// skipped, so the message says how to install Erlang, here as in CI too.
pub fn erl() -> &'static ErlInfo {
    static INFO: OnceLock<&'static ErlInfo> = OnceLock::new();
    INFO.get_or_init(|| {
        erldrv_test::erl().unwrap_or_else(|e| {
            panic!(
                "the BEAM tests need Erlang/OTP: {e}\n\
                 In this repository, `cargo xtask test` installs it when run as root on \
                 Debian/Ubuntu; or, as root:\n    apt-get install -y erlang-nox erlang-dev"
            )
        })
    })
}
