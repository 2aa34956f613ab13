//! Installing missing system packages with apt-get, only where that is safe to do unasked:
//! as root, which is how CI runs (on a fresh Debian/Ubuntu machine). Anywhere else the
//! caller gets the exact command to run instead.

use std::fs;
use std::process::{Command, Stdio};

use crate::find_program;

/// What to do about missing Debian packages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AptPlan {
    /// Install them with apt-get ourselves.
    Install,
    /// Stop and tell the user to do this.
    AskUser(String),
}

/// The plan for missing `packages`: install them when running as root with apt-get;
/// otherwise ask for `sudo apt-get install -y <packages>`, or, without apt-get, for
/// `without_apt` (a sentence saying what to install).
pub fn plan(packages: &[&str], is_root: bool, has_apt: bool, without_apt: &str) -> AptPlan {
    match (is_root, has_apt) {
        (true, true) => AptPlan::Install,
        (false, true) => {
            AptPlan::AskUser(format!("sudo apt-get install -y {}", packages.join(" ")))
        }
        (_, false) => AptPlan::AskUser(without_apt.to_owned()),
    }
}

/// Installs `packages`, which `needed` (a sentence) says are missing, when [`plan`] allows
/// it here: `apt-get update`, then `apt-get install -y <packages>`, with apt-get's output
/// shown as it runs.
///
/// # Errors
///
/// If installing is not for us to do (the message says what to run instead), or apt-get
/// fails.
pub fn install(needed: &str, packages: &[&str], without_apt: &str) -> Result<(), String> {
    println!("{needed}");
    match plan(
        packages,
        is_root(),
        find_program("apt-get").is_some(),
        without_apt,
    ) {
        AptPlan::Install => {
            println!(
                "Running as root with apt-get available, so installing it: \
                 apt-get update, then apt-get install -y {}",
                packages.join(" ")
            );
            // A failed update (e.g. one unreachable mirror) often still leaves the package
            // lists good enough; the install below is the real test.
            if let Err(e) = apt_get(&["update"]) {
                println!("warning: {e}; trying the install anyway");
            }
            let mut args = vec!["install", "-y"];
            args.extend_from_slice(packages);
            apt_get(&args)
        }
        AptPlan::AskUser(what) => Err(format!(
            "{needed} Please\n    {what}\nthen run `cargo xtask test` again."
        )),
    }
}

/// Runs `apt-get <args>` non-interactively with inherited stdio, so that its progress
/// shows in the CI log.
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
pub fn is_root() -> bool {
    if let Ok(status) = fs::read_to_string("/proc/self/status")
        && let Some(euid) = effective_uid(&status)
    {
        return euid == 0;
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
        let packages = ["erlang-nox", "erlang-dev"];
        assert_eq!(plan(&packages, true, true, "x"), AptPlan::Install);
        assert_eq!(
            plan(&packages, false, true, "x"),
            AptPlan::AskUser("sudo apt-get install -y erlang-nox erlang-dev".to_owned())
        );
        for is_root in [true, false] {
            assert_eq!(
                plan(&packages, is_root, false, "install Erlang"),
                AptPlan::AskUser("install Erlang".to_owned())
            );
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
