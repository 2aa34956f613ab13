//! Making sure Erlang/OTP, with the driver headers, is installed.
//!
//! The harness only fails loudly when Erlang is missing; installing it is
//! the xtask's job, and only done where that is safe to do unasked: as root
//! with apt-get, which is how CI runs (on a fresh Debian/Ubuntu machine).

use std::fs;
use std::process::{Command, Stdio};

use erldrv_harness::{ErlInfo, find_program};

const APT_PACKAGES: [&str; 2] = ["erlang-nox", "erlang-dev"];

/// What to do when Erlang/OTP is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// Install it with apt-get ourselves.
    AptInstall,
    /// Stop and tell the user what to do.
    AskUser(&'static str),
}

fn plan_install(is_root: bool, has_apt: bool) -> Plan {
    match (is_root, has_apt) {
        (true, true) => Plan::AptInstall,
        (false, true) => Plan::AskUser("sudo apt-get install -y erlang-nox erlang-dev"),
        (_, false) => Plan::AskUser(
            "install Erlang/OTP 25 or newer with its development headers (erl_driver.h) \
             and put erl on PATH",
        ),
    }
}

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
    match plan_install(is_root(), find_program("apt-get").is_some()) {
        Plan::AptInstall => {
            println!(
                "Running as root with apt-get available, so installing it: \
                 apt-get update, then apt-get install -y {}",
                APT_PACKAGES.join(" ")
            );
            // A failed update (e.g. one unreachable mirror) often still leaves
            // the package lists good enough; the install below is the real test.
            if let Err(e) = apt_get(&["update"]) {
                println!("warning: {e}; trying the install anyway");
            }
            apt_get(&["install", "-y", APT_PACKAGES[0], APT_PACKAGES[1]])?;
            check().map_err(|still| format!("after installing Erlang/OTP: {still}"))
        }
        Plan::AskUser(what) => Err(format!(
            "Erlang/OTP is needed to run the driver tests. Please\n    {what}\n\
             then run `cargo xtask test` again."
        )),
    }
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

/// Runs `apt-get <args>` non-interactively with inherited stdio, so its
/// progress shows in the CI log.
fn apt_get(args: &[&str]) -> Result<(), String> {
    let line = format!("apt-get {}", args.join(" "));
    println!("+ DEBIAN_FRONTEND=noninteractive {line}");
    let status = Command::new("apt-get")
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        // Never wait for an answer, even if some package asks one anyway.
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("could not run {line}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{line}` failed ({status})"))
    }
}

/// Whether we run with effective user id 0.
fn is_root() -> bool {
    if let Ok(status) = fs::read_to_string("/proc/self/status") {
        if let Some(euid) = effective_uid(&status) {
            return euid == 0;
        }
    }
    // No /proc (e.g. macOS): ask id(1).
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// The effective uid from the text of `/proc/self/status`, whose line is
/// `Uid:\t<real>\t<effective>\t<saved>\t<filesystem>`.
fn effective_uid(proc_status: &str) -> Option<u32> {
    let ids = proc_status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))?;
    ids.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installs_only_as_root_with_apt() {
        assert_eq!(plan_install(true, true), Plan::AptInstall);
        assert_eq!(
            plan_install(false, true),
            Plan::AskUser("sudo apt-get install -y erlang-nox erlang-dev")
        );
        for is_root in [true, false] {
            match plan_install(is_root, false) {
                Plan::AskUser(what) => assert!(what.contains("erl_driver.h"), "{what}"),
                Plan::AptInstall => panic!("apt-get install planned without apt-get"),
            }
        }
    }

    #[test]
    fn reads_effective_uid() {
        let status =
            "Name:\tcat\nUmask:\t0022\nUid:\t1000\t0\t1000\t1000\nGid:\t100\t100\t100\t100\n";
        assert_eq!(effective_uid(status), Some(0));
        assert_eq!(effective_uid("Uid:\t1000\t1000\t1000\t1000\n"), Some(1000));
        assert_eq!(effective_uid("Name:\tcat\n"), None);
    }
}
