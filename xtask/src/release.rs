//! What a release needs, checked by the test command and by `cargo xtask release-check`:
//! every place naming erldrv's version names the same one (`versions.rs`, also a test), the
//! published crates package and build from their `.crate` files, and they build with the
//! oldest Rust they declare. `RELEASING.md` says how to make a release.

mod versions;

pub use versions::version_mismatches;

use std::process::Command;
use std::time::Duration;

use serde::Deserialize;

use crate::{Result, cargo, run, shown};

/// The workspace members that are published: those whose manifest does not say
/// `publish = false`, in `cargo metadata`'s order (cargo packages them in dependency order
/// whatever the order of the `-p` flags).
pub fn published() -> Result<Vec<Published>> {
    #[derive(Deserialize)]
    struct Metadata {
        packages: Vec<Package>,
    }
    #[derive(Deserialize)]
    struct Package {
        name: String,
        version: String,
        rust_version: Option<String>,
        /// `None`: any registry; `Some([])`: `publish = false`.
        publish: Option<Vec<String>>,
    }
    let mut cmd = cargo();
    cmd.args(["metadata", "--no-deps", "--format-version", "1"]);
    let output = cmd
        .output()
        .map_err(|e| format!("could not run {}: {e}", shown(&cmd)))?;
    if !output.status.success() {
        return Err(format!(
            "`{}` failed ({}):\n{}",
            shown(&cmd),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let metadata: Metadata = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("could not read the output of {}: {e}", shown(&cmd)))?;
    Ok(metadata
        .packages
        .into_iter()
        .filter(|p| {
            p.publish
                .as_ref()
                .is_none_or(|registries| !registries.is_empty())
        })
        .map(|p| Published {
            name: p.name,
            version: p.version,
            rust_version: p.rust_version,
        })
        .collect())
}

/// A workspace member that is published.
pub struct Published {
    pub name: String,
    pub version: String,
    pub rust_version: Option<String>,
}

/// `cargo package` for the published crates, all features, verified: cargo unpacks each
/// `.crate` and builds it, with the crates it depends on from the same run standing in for
/// their unpublished releases, so a file left out of `include` or a path outside the crate
/// fails here. Then the packaged `erldrv-sys`'s layout tests run from its unpacked crate,
/// as a user would run them against their own Erlang/OTP. Nothing is uploaded: packaging
/// needs no token and never publishes. It works offline (`CARGO_NET_OFFLINE=true`) when
/// the dependencies are in cargo's cache.
pub fn package(crates: &[Published]) -> Result {
    let mut cmd = cargo();
    // A check, not a release: uncommitted changes are packaged as they are.
    cmd.args(["package", "--allow-dirty", "--all-features"]);
    for krate in crates {
        cmd.args(["-p", &krate.name]);
    }
    run(&mut cmd)?;

    if let Some(sys) = crates.iter().find(|c| c.name == "erldrv-sys") {
        let root = erldrv_harness::workspace_root();
        let unpacked = root
            .join("target/package")
            .join(format!("{}-{}", sys.name, sys.version));
        run(cargo()
            .current_dir(&unpacked)
            .args(["test", "--quiet", "--target-dir"])
            .arg(root.join("target/package-tests")))?;
    }
    Ok(())
}

/// What [`msrv`] could do.
pub enum Msrv {
    /// The crates built with the oldest toolchain their `rust-version` admits.
    Checked,
    /// That toolchain is not installed and rustup could not install it (a machine that
    /// cannot reach rustup's server): the reason, for the test command to show. A build
    /// that fails with the toolchain is an error, never this.
    NotInstallable(String),
}

/// Builds the published crates (all features, with the workspace's `Cargo.lock`) with the
/// oldest toolchain their `rust-version` allows, installing it with rustup when missing, so
/// that the `rust-version` they declare is one that was checked.
pub fn msrv(crates: &[Published]) -> Result<Msrv> {
    let versions: Vec<&str> = crates
        .iter()
        .map(|c| {
            c.rust_version
                .as_deref()
                .ok_or_else(|| format!("{} declares no rust-version", c.name))
        })
        .collect::<Result<_>>()?;
    let Some(&declared) = versions.first() else {
        return Ok(Msrv::Checked);
    };
    if let Some(other) = crates
        .iter()
        .find(|c| c.rust_version.as_deref() != Some(declared))
    {
        return Err(format!(
            "the published crates declare different rust-versions ({} has {}, {} has {declared}); \
             they share the workspace's",
            other.name,
            other.rust_version.as_deref().unwrap_or("none"),
            crates[0].name
        ));
    }
    // "1.88" means 1.88.0: check with the oldest release it admits.
    let toolchain = match declared.matches('.').count() {
        1 => format!("{declared}.0"),
        _ => declared.to_owned(),
    };

    let installed = rustup()
        .args(["run", &toolchain, "rustc", "--version"])
        .output();
    match installed {
        Err(e) => {
            return Err(format!(
                "could not run rustup ({e}): checking rust-version {declared} needs rustup \
                 and the toolchain {toolchain} (rustup toolchain install {toolchain} --profile minimal)"
            ));
        }
        Ok(output) if !output.status.success() => {
            if let Err(e) = install_toolchain(&toolchain) {
                return Ok(Msrv::NotInstallable(format!(
                    "rust-version {declared} was NOT checked: the toolchain {toolchain} is not \
                     installed and rustup could not install it ({e}); run `cargo xtask \
                     release-check` where rustup can reach its server"
                )));
            }
        }
        Ok(_) => {}
    }

    let mut cmd = rustup();
    cmd.current_dir(erldrv_harness::workspace_root()).args([
        "run",
        &toolchain,
        "cargo",
        "check",
        "--all-features",
    ]);
    for krate in crates {
        cmd.args(["-p", &krate.name]);
    }
    // Its own target directory: artifacts of another compiler are of no use to the others.
    cmd.args(["--target-dir", "target/msrv"]);
    run(&mut cmd)?;
    Ok(Msrv::Checked)
}

/// How long installing the toolchain may take: a machine whose network drops rustup's
/// connections must not hold the test command for longer.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// `rustup toolchain install <toolchain> --profile minimal`, its output shown, stopped
/// after [`INSTALL_TIMEOUT`].
fn install_toolchain(toolchain: &str) -> Result {
    let mut cmd = rustup();
    cmd.args(["toolchain", "install", toolchain, "--profile", "minimal"]);
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("could not run {}: {e}", shown(&cmd)))?;
    match erldrv_harness::wait_timeout(&mut child, INSTALL_TIMEOUT) {
        Ok(Some(status)) if status.success() => Ok(()),
        Ok(Some(status)) => Err(format!("`{}` failed ({status})", shown(&cmd))),
        Ok(None) => Err(format!(
            "`{}` took more than {} s and was stopped",
            shown(&cmd),
            INSTALL_TIMEOUT.as_secs()
        )),
        Err(e) => Err(format!("waiting for {}: {e}", shown(&cmd))),
    }
}

/// `rustup`, without the toolchain choice of the cargo that runs this xtask.
fn rustup() -> Command {
    let mut cmd = Command::new("rustup");
    for var in ["RUSTUP_TOOLCHAIN", "CARGO", "RUSTC", "RUSTDOC"] {
        cmd.env_remove(var);
    }
    cmd
}
