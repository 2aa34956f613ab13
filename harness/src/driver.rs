//! Building a driver crate with a nested `cargo build` and putting the
//! library where `erl_ddll` looks for it.

use std::env;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use serde::Deserialize;

use crate::process::lock;
use crate::{beam_dir, workspace_root};

/// The cargo profile a driver is built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    /// `cargo build` (the default; fastest to build).
    Debug,
    /// `cargo build --release`.
    Release,
}

/// A built driver, ready for `erl_ddll:load_driver(Dir, Name)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Driver {
    /// The driver name: the library file name without `lib` and extension
    /// (`echo_drv` for `libecho_drv.so`).
    pub name: String,
    /// The directory holding the driver, `<workspace>/target/beam/drivers`.
    pub dir: PathBuf,
    /// The driver library itself, `<dir>/<name>.so`.
    pub path: PathBuf,
}

/// Builds the workspace package `package` (a `cdylib`) in debug mode and
/// returns where its driver is.
///
/// # Panics
///
/// If the build fails (with cargo's output) or yields no `cdylib`.
pub fn build_driver(package: &str) -> Driver {
    try_build_driver(package, Profile::Debug).unwrap_or_else(|e| panic!("{e}"))
}

/// Like [`build_driver`], but with `--release`.
///
/// # Panics
///
/// If the build fails (with cargo's output) or yields no `cdylib`.
pub fn build_driver_release(package: &str) -> Driver {
    try_build_driver(package, Profile::Release).unwrap_or_else(|e| panic!("{e}"))
}

/// Builds the workspace package `package` (a `cdylib`) with
/// `cargo build -p <package> --lib --target-dir <workspace>/target/beam` and
/// copies the library to `<workspace>/target/beam/drivers/<name>.so`:
/// `erl_ddll:load_driver(Dir, "echo_drv")` opens `Dir/echo_drv.so`, without
/// the `lib` prefix, and wants `.so` even on macOS.
///
/// Runs the cargo that runs us (`$CARGO`), else `cargo` from `PATH`. Each
/// package is built at most once per process and profile.
///
/// # Errors
///
/// A message with cargo's full output if the build fails.
pub fn try_build_driver(package: &str, profile: Profile) -> Result<Driver, String> {
    // One nested build at a time per process (cargo's own lock serializes
    // separate processes); the guarded list doubles as the per-process cache.
    static BUILT: Mutex<Vec<(String, Profile, Driver)>> = Mutex::new(Vec::new());
    let mut built = lock(&BUILT);
    if let Some((_, _, driver)) = built
        .iter()
        .find(|(p, pr, _)| p == package && *pr == profile)
    {
        return Ok(driver.clone());
    }
    let library = cargo_build(package, profile)?;
    let driver = install_driver(
        &library,
        driver_name(&library)?,
        &beam_dir().join("drivers"),
    )?;
    built.push((package.to_owned(), profile, driver.clone()));
    Ok(driver)
}

/// Runs the nested build and returns the path of the built library.
fn cargo_build(package: &str, profile: Profile) -> Result<PathBuf, String> {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace_root())
        .args(["build", "--package", package, "--lib", "--target-dir"])
        .arg(beam_dir())
        // JSON messages on stdout; diagnostics rendered as text on stderr.
        .arg("--message-format=json-render-diagnostics");
    if profile == Profile::Release {
        cmd.arg("--release");
    }
    let shown = format!("{cmd:?}");
    let out = cmd
        .output()
        .map_err(|e| format!("could not run {shown}: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        // The JSON lines repeat what stderr already shows, so leave them out.
        return Err(format!(
            "building driver package `{package}` failed ({}):\n{shown}\n{}",
            out.status,
            stderr.trim_end()
        ));
    }
    find_library(&stdout, package).map_err(|e| format!("{e}\n{shown}\n{}", stderr.trim_end()))
}

/// Picks the `cdylib` file of `package` out of cargo's JSON messages.
fn find_library(messages: &str, package: &str) -> Result<PathBuf, String> {
    let artifacts = cdylib_artifacts(messages);
    // A library target is named after its package with `-` turned into `_`,
    // unless the manifest renames it; then the only cdylib built is it.
    let lib_name = package.replace('-', "_");
    let chosen = match artifacts.iter().find(|a| a.target.name == lib_name) {
        Some(artifact) => artifact,
        None if artifacts.len() == 1 => &artifacts[0],
        None => {
            return Err(format!(
                "cargo built {} cdylib(s) for package `{package}` and none is named \
                 `{lib_name}`: {artifacts:?}",
                artifacts.len()
            ));
        }
    };
    chosen
        .filenames
        .iter()
        .find(|f| is_shared_library(f))
        .cloned()
        .ok_or_else(|| format!("no shared library among the files of {chosen:?}"))
}

/// One of cargo's `--message-format=json` messages, as far as it is read here: cargo's
/// other messages and fields are ignored, so newer cargos can add their own.
#[derive(Debug, Deserialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
enum Message {
    CompilerArtifact(Artifact),
    #[serde(other)]
    Other,
}

/// A `compiler-artifact` message: a target was built into these files.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct Artifact {
    target: Target,
    filenames: Vec<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct Target {
    name: String,
    /// `lib`, `cdylib`, `bin`, ... (the crate types of a library target).
    kind: Vec<String>,
}

/// The artifacts of targets whose kinds include `cdylib`. Lines that are not such messages
/// (other reasons, anything that is not JSON) are skipped.
fn cdylib_artifacts(messages: &str) -> Vec<Artifact> {
    messages
        .lines()
        .filter_map(|line| match serde_json::from_str(line) {
            Ok(Message::CompilerArtifact(artifact))
                if artifact.target.kind.iter().any(|k| k == "cdylib") =>
            {
                Some(artifact)
            }
            _ => None,
        })
        .collect()
}

fn is_shared_library(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("so" | "dylib" | "dll")
    )
}

/// The driver name in the file name of a library cargo built: `echo_drv` for
/// `libecho_drv.so`, `libecho_drv.dylib` or `echo_drv.dll` (Windows has no `lib` prefix).
fn driver_name(library: &Path) -> Result<&str, String> {
    let stem = library
        .file_stem()
        .and_then(|n| n.to_str())
        .ok_or_else(|| format!("odd library path {}", library.display()))?;
    Ok(if is_dll(library) {
        stem
    } else {
        stem.strip_prefix("lib").unwrap_or(stem)
    })
}

fn is_dll(library: &Path) -> bool {
    library.extension().is_some_and(|e| e == "dll")
}

/// Copies the driver library `library` into `dir` as the driver `name`, the file
/// `erl_ddll:load_driver(Dir, Name)` opens: `<dir>/<name>.so`, also on macOS, where cargo
/// builds `lib<name>.dylib` (`<name>.dll` for a `.dll`, on Windows). Creates `dir` if needed.
///
/// The copy replaces any older file atomically (it is written beside it and renamed over
/// it), so a VM that still has the old library loaded keeps its (unlinked) copy intact;
/// overwriting it in place could crash that VM.
///
/// [`build_driver`] does this for `<workspace>/target/beam/drivers`; this puts a driver
/// somewhere else, e.g. `install_driver(&driver.path, &driver.name, dir)`.
///
/// # Errors
///
/// If `dir` cannot be created or the file cannot be copied there.
pub fn install_driver(library: &Path, name: &str, dir: &Path) -> Result<Driver, String> {
    let ext = if is_dll(library) { "dll" } else { "so" };
    let path = dir.join(format!("{name}.{ext}"));
    fs::create_dir_all(dir).map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    fs::copy(library, &tmp)
        .and_then(|_| fs::rename(&tmp, &path))
        .map_err(|e| {
            let _ = fs::remove_file(&tmp);
            format!(
                "could not copy {} to {}: {e}",
                library.display(),
                path.display()
            )
        })?;
    Ok(Driver {
        name: name.to_owned(),
        dir: dir.to_owned(),
        path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Trimmed-down but real-shaped cargo messages.
    const MESSAGES: &str = r#"{"reason":"compiler-artifact","package_id":"path+file:///w/erldrv-sys#0.1.0","manifest_path":"/w/erldrv-sys/Cargo.toml","target":{"kind":["lib"],"crate_types":["lib"],"name":"erldrv_sys","src_path":"/w/erldrv-sys/src/lib.rs","edition":"2024","doc":true,"doctest":true,"test":true},"profile":{"opt_level":"0","debuginfo":2,"debug_assertions":true,"overflow_checks":true,"test":false},"features":[],"filenames":["/w/target/beam/debug/deps/liberldrv_sys-1.rlib","/w/target/beam/debug/deps/liberldrv_sys-1.rmeta"],"executable":null,"fresh":true}
{"reason":"compiler-artifact","package_id":"path+file:///w/examples/echo#echo_drv@0.1.0","manifest_path":"/w/examples/echo/Cargo.toml","target":{"kind":["cdylib","rlib"],"crate_types":["cdylib","rlib"],"name":"echo_drv","src_path":"/w/examples/echo/src/lib.rs","edition":"2024","doc":true,"doctest":false,"test":true},"profile":{"opt_level":"0","debuginfo":2,"debug_assertions":true,"overflow_checks":true,"test":false},"features":[],"filenames":["/w/target/beam/debug/libecho_drv.rlib","/w/target/beam/debug/libecho_drv.so"],"executable":null,"fresh":false}
{"reason":"build-finished","success":true}
not json at all: compiler-artifact
"#;

    #[test]
    fn finds_the_cdylib_among_cargo_messages() {
        let artifacts = cdylib_artifacts(MESSAGES);
        assert_eq!(artifacts.len(), 1);
        assert_eq!(artifacts[0].target.name, "echo_drv");
        assert_eq!(
            find_library(MESSAGES, "echo_drv").unwrap(),
            Path::new("/w/target/beam/debug/libecho_drv.so")
        );
        // A renamed lib target is still found when it is the only cdylib.
        assert!(find_library(MESSAGES, "echo-driver").is_ok());
        assert!(find_library("{\"reason\":\"build-finished\"}", "echo_drv").is_err());
    }

    #[test]
    fn handles_macos_and_escaped_paths() {
        let msg = r#"{"reason":"compiler-artifact","target":{"kind":["cdylib"],"name":"my_drv"},"filenames":["/Users/j\u00f6 \"x\"/target/beam/debug/libmy_drv.dylib"]}"#;
        assert_eq!(
            find_library(msg, "my-drv").unwrap(),
            Path::new("/Users/jö \"x\"/target/beam/debug/libmy_drv.dylib")
        );
    }

    #[test]
    fn installs_under_the_driver_name() {
        let base = env::temp_dir().join(format!("erldrv-harness-install-{}", std::process::id()));
        let src = base.join("libmy_drv.dylib");
        fs::create_dir_all(&base).unwrap();
        fs::write(&src, b"not really a library").unwrap();
        let name = driver_name(&src).unwrap();
        assert_eq!(name, "my_drv");
        let driver = install_driver(&src, name, &base.join("drivers")).unwrap();
        assert_eq!(driver.name, "my_drv");
        assert_eq!(driver.path, base.join("drivers").join("my_drv.so"));
        assert_eq!(fs::read(&driver.path).unwrap(), b"not really a library");
        // Installing an installed driver elsewhere keeps its name, and a second install
        // replaces the first copy.
        let again = install_driver(&driver.path, &driver.name, &base.join("other")).unwrap();
        assert_eq!(again.path, base.join("other").join("my_drv.so"));
        fs::write(&src, b"rebuilt").unwrap();
        install_driver(&src, name, &base.join("drivers")).unwrap();
        assert_eq!(fs::read(&driver.path).unwrap(), b"rebuilt");
        fs::remove_dir_all(&base).unwrap();
    }
}
