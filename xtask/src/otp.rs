//! Making sure Erlang/OTP, with the driver headers, is installed.
//!
//! The harness only fails loudly when Erlang is missing; installing it is
//! the xtask's job, and only done where that is safe to do unasked: as root
//! with apt-get, which is how CI runs (on a fresh Debian/Ubuntu machine).

use erldrv_harness::{ErlInfo, apt};

const APT_PACKAGES: [&str; 2] = ["erlang-nox", "erlang-dev"];

/// Returns the Erlang installation, installing it first if needed and
/// possible.
///
/// # Errors
///
/// If it is missing and cannot be installed here; the message says what to
/// run instead.
pub fn ensure() -> Result<ErlInfo, String> {
    let missing = match check() {
        Ok(info) => return Ok(info),
        Err(missing) => missing,
    };
    println!("{missing}");
    apt::install(
        "Erlang/OTP is needed to run the driver tests.",
        &APT_PACKAGES,
        "install Erlang/OTP 25 or newer with its development headers (erl_driver.h) \
         and put erl on PATH",
    )?;
    check().map_err(|still| format!("after installing Erlang/OTP: {still}"))
}

/// The installation, if `erl`, `erlc` and `erl_driver.h` are all there.
fn check() -> Result<ErlInfo, String> {
    let info = ErlInfo::detect().map_err(|e| format!("Erlang/OTP is not usable: {e}"))?;
    if !info.has_driver_header() {
        return Err(format!(
            "Erlang/OTP {} is installed at {}, but its driver header {} is missing \
             (Debian package erlang-dev).",
            info.otp_release,
            info.root_dir.display(),
            info.include_dir().join("erl_driver.h").display()
        ));
    }
    println!(
        "Erlang/OTP {} at {} (erl: {})",
        info.otp_release,
        info.root_dir.display(),
        info.erl.display()
    );
    Ok(info)
}
