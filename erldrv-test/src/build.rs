//! Building the driver crate with a nested `cargo build` and putting the library where
//! `erl_ddll` looks for it.

use std::env;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

use serde::Deserialize;

use crate::error::{Error, ErrorKind};
use crate::process::{lock, run_captured};

/// How long one nested `cargo build` may take: erldrv and the driver from scratch, on a
/// slow, busy machine.
const BUILD_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// The cargo profile a driver is built with.
///
/// ```
/// use erldrv_test::{Build, Profile};
///
/// let build = Build::current().profile(Profile::Release);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    /// `cargo build` (the default; fastest to build).
    Debug,
    /// `cargo build --release`.
    Release,
}

/// A built driver, ready for `erl_ddll:load_driver(Dir, Name)`.
///
/// ```no_run
/// let driver = erldrv_test::Build::current().driver()?;
/// assert_eq!(driver.path, driver.dir.join(format!("{}.so", driver.name)));
/// # Ok::<(), erldrv_test::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Driver {
    /// The driver name: the library file name without `lib` and extension
    /// (`echo_drv` for `libecho_drv.so`).
    pub name: String,
    /// The directory holding the driver (`<target>/beam/drivers` by default).
    pub dir: PathBuf,
    /// The driver library itself, `<dir>/<name>.so`.
    pub path: PathBuf,
}

/// How to build a driver crate: which crate (by its directory), which package, which
/// profile, and where. Nothing happens until [`driver`](Build::driver).
///
/// The build is `cargo build --lib -p <package>` run in the crate's directory (so its
/// `.cargo/config.toml` applies), in a target directory of its own, by default
/// `<the crate's target directory>/beam`: the `cargo test` that runs the tests holds the
/// lock on the crate's own target directory, and a nested build there would wait for it
/// forever. The library is then copied to `<that directory>/drivers/<name>.so` (release
/// builds: `drivers/release/<name>.so`), the file `erl_ddll:load_driver(Dir, Name)` opens:
/// without cargo's `lib` prefix, and with `.so` on macOS too.
///
/// It works the same for a crate on its own and for a workspace member; each build is
/// done once per process.
///
/// ```no_run
/// use erldrv_test::Build;
///
/// // The crate whose tests are running, in debug mode:
/// let driver = Build::current().driver()?;
/// // A driver crate elsewhere, in release mode:
/// let other = Build::at("../other_drv").release().driver()?;
/// # Ok::<(), erldrv_test::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[must_use = "a Build does nothing until `.driver()`"]
pub struct Build {
    manifest_dir: PathBuf,
    package: Option<String>,
    profile: Profile,
    target_dir: Option<PathBuf>,
}

impl Build {
    /// The crate whose tests are running: the directory in `CARGO_MANIFEST_DIR`, which
    /// `cargo test` sets for the test binaries it runs (else the current directory).
    ///
    /// ```no_run
    /// let driver = erldrv_test::Build::current().driver()?;
    /// # Ok::<(), erldrv_test::Error>(())
    /// ```
    pub fn current() -> Build {
        let dir =
            env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from("."), PathBuf::from);
        Build::at(dir)
    }

    /// The crate in directory `manifest_dir` (the one holding its `Cargo.toml`). A relative
    /// path is relative to the current directory, which under `cargo test` is the crate's.
    ///
    /// ```no_run
    /// let driver = erldrv_test::Build::at("examples/echo").driver()?;
    /// # Ok::<(), erldrv_test::Error>(())
    /// ```
    pub fn at(manifest_dir: impl Into<PathBuf>) -> Build {
        Build {
            manifest_dir: manifest_dir.into(),
            package: None,
            profile: Profile::Debug,
            target_dir: None,
        }
    }

    /// Builds package `name` of the workspace the crate directory belongs to. Needed only
    /// when that directory is a workspace root without a package of its own; by default
    /// the package is the one whose manifest is in the directory.
    ///
    /// ```no_run
    /// let driver = erldrv_test::Build::at("/path/to/workspace").package("my_drv").driver()?;
    /// # Ok::<(), erldrv_test::Error>(())
    /// ```
    pub fn package(mut self, name: &str) -> Build {
        self.package = Some(name.to_owned());
        self
    }

    /// Builds with `profile` (default [`Profile::Debug`]).
    ///
    /// ```
    /// let build = erldrv_test::Build::current().profile(erldrv_test::Profile::Release);
    /// ```
    pub fn profile(mut self, profile: Profile) -> Build {
        self.profile = profile;
        self
    }

    /// Builds with `--release`; shorthand for `.profile(Profile::Release)`.
    ///
    /// ```
    /// let build = erldrv_test::Build::current().release();
    /// ```
    pub fn release(self) -> Build {
        self.profile(Profile::Release)
    }

    /// Builds in `dir` instead of `<the crate's target directory>/beam`. It must not be
    /// the target directory of the running `cargo test`.
    ///
    /// ```
    /// let build = erldrv_test::Build::current().target_dir("/tmp/my-drv-beam");
    /// ```
    pub fn target_dir(mut self, dir: impl Into<PathBuf>) -> Build {
        self.target_dir = Some(dir.into());
        self
    }

    /// Builds the driver (once per process and settings) and installs it where
    /// `erl_ddll` looks for it.
    ///
    /// ```no_run
    /// let driver = erldrv_test::Build::current().driver()?;
    /// println!("erl_ddll:load_driver({:?}, {:?})", driver.dir, driver.name);
    /// # Ok::<(), erldrv_test::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// With cargo's full output if the build fails, or if the package builds no `cdylib`.
    pub fn driver(&self) -> Result<Driver, Error> {
        // One nested build at a time per process (cargo's own lock serializes separate
        // processes); the guarded list doubles as the per-process cache.
        static BUILT: Mutex<Vec<(Build, Driver)>> = Mutex::new(Vec::new());
        let mut built = lock(&BUILT);
        if let Some((_, driver)) = built.iter().find(|(b, _)| b == self) {
            return Ok(driver.clone());
        }
        let crate_info = self.crate_info()?;
        let (package, lib_name) = crate_info.lib.clone()?;
        let library = self.cargo_build(&package, &lib_name, &crate_info.nested_target)?;
        let mut dir = crate_info.nested_target.join("drivers");
        if self.profile == Profile::Release {
            dir.push("release");
        }
        let driver = install_driver(&library, driver_name(&library)?, &dir)?;
        built.push((self.clone(), driver.clone()));
        Ok(driver)
    }

    /// The nested target directory (`<the crate's target directory>/beam` unless set),
    /// where compiled Erlang code goes too.
    pub(crate) fn work_dir(&self) -> Result<PathBuf, Error> {
        Ok(self.crate_info()?.nested_target)
    }

    /// The crate's directory, absolute.
    pub(crate) fn manifest_dir(&self) -> PathBuf {
        let manifest = self.manifest_path();
        manifest.parent().unwrap_or(Path::new(".")).to_owned()
    }

    fn manifest_path(&self) -> PathBuf {
        let dir = if self.manifest_dir.is_absolute() {
            self.manifest_dir.clone()
        } else {
            env::current_dir()
                .unwrap_or_default()
                .join(&self.manifest_dir)
        };
        dir.join("Cargo.toml")
    }

    /// Asks `cargo metadata` which package to build and where targets go, once per
    /// process and settings.
    fn crate_info(&self) -> Result<CrateInfo, Error> {
        static KNOWN: Mutex<Vec<(Build, CrateInfo)>> = Mutex::new(Vec::new());
        if let Some((_, info)) = lock(&KNOWN).iter().find(|(b, _)| b == self) {
            return Ok(info.clone());
        }
        let info = self.read_crate_info()?;
        lock(&KNOWN).push((self.clone(), info.clone()));
        Ok(info)
    }

    fn read_crate_info(&self) -> Result<CrateInfo, Error> {
        let manifest = self.manifest_path();
        let mut cmd = cargo();
        cmd.args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(&manifest);
        let shown = format!("{cmd:?}");
        let out = run_captured(&mut cmd, BUILD_TIMEOUT)
            .map_err(|e| Error::new(ErrorKind::Io, format!("could not run {shown}: {e}")))?;
        if !out.success() {
            return Err(Error::new(
                ErrorKind::Build,
                format!(
                    "reading the crate in {} failed:\n{shown}\n{out}",
                    self.manifest_dir.display()
                ),
            ));
        }
        let metadata: Metadata = serde_json::from_str(&out.stdout).map_err(|e| {
            Error::new(
                ErrorKind::Build,
                format!("unexpected output of {shown}: {e}"),
            )
        })?;
        let nested_target = self
            .target_dir
            .clone()
            .unwrap_or_else(|| metadata.target_directory.join("beam"));
        let lib = pick_package(&metadata.packages, &manifest, self.package.as_deref()).and_then(
            |package| {
                let lib = package
                    .targets
                    .iter()
                    .find(|t| t.kind.iter().any(|k| k == "cdylib"))
                    .ok_or_else(|| {
                        Error::new(
                            ErrorKind::Build,
                            format!(
                                "package `{}` builds no cdylib, so there is no driver to load: \
                                 add\n[lib]\ncrate-type = [\"cdylib\"]\nto {}",
                                package.name,
                                package.manifest_path.display()
                            ),
                        )
                    })?;
                Ok((package.name.clone(), lib.name.clone()))
            },
        );
        Ok(CrateInfo { lib, nested_target })
    }

    /// Runs the nested build and returns the path of the built library.
    fn cargo_build(
        &self,
        package: &str,
        lib_name: &str,
        nested_target: &Path,
    ) -> Result<PathBuf, Error> {
        let mut cmd = cargo();
        cmd.current_dir(self.manifest_path().parent().unwrap_or(Path::new(".")))
            .arg("build")
            .arg("--manifest-path")
            .arg(self.manifest_path())
            .args(["--package", package, "--lib", "--target-dir"])
            .arg(nested_target)
            // JSON messages on stdout; diagnostics rendered as text on stderr.
            .arg("--message-format=json-render-diagnostics");
        if self.profile == Profile::Release {
            cmd.arg("--release");
        }
        let shown = format!("{cmd:?}");
        let out = run_captured(&mut cmd, BUILD_TIMEOUT)
            .map_err(|e| Error::new(ErrorKind::Io, format!("could not run {shown}: {e}")))?;
        if !out.success() {
            let status = out.status.map_or_else(
                || format!("killed after {BUILD_TIMEOUT:?}"),
                |s| s.to_string(),
            );
            // The JSON lines repeat what stderr already shows, so leave them out.
            return Err(Error::new(
                ErrorKind::Build,
                format!(
                    "building driver package `{package}` failed ({status}):\n{shown}\n{}",
                    out.stderr.trim_end()
                ),
            ));
        }
        find_library(&out.stdout, lib_name).map_err(|e| {
            Error::new(
                ErrorKind::Build,
                format!("{e}\n{shown}\n{}", out.stderr.trim_end()),
            )
        })
    }
}

/// The cargo that runs us (`$CARGO`), else `cargo` from `PATH`.
fn cargo() -> Command {
    Command::new(env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo")))
}

/// What `cargo metadata` told about the crate to build.
#[derive(Debug, Clone)]
struct CrateInfo {
    /// The package and its cdylib target's name, or why there is none: only building
    /// needs them (a crate without a driver can still run EUnit).
    lib: Result<(String, String), Error>,
    nested_target: PathBuf,
}

/// `cargo metadata --format-version 1`, as far as it is read here.
#[derive(Debug, Deserialize)]
struct Metadata {
    packages: Vec<Package>,
    target_directory: PathBuf,
}

#[derive(Debug, Deserialize)]
struct Package {
    name: String,
    manifest_path: PathBuf,
    targets: Vec<Target>,
}

/// The package named `name`, else the one whose manifest is `manifest`.
fn pick_package<'a>(
    packages: &'a [Package],
    manifest: &Path,
    name: Option<&str>,
) -> Result<&'a Package, Error> {
    let found = match name {
        Some(name) => packages.iter().find(|p| p.name == name),
        None => {
            let wanted = fs::canonicalize(manifest).unwrap_or_else(|_| manifest.to_owned());
            packages.iter().find(|p| {
                fs::canonicalize(&p.manifest_path).unwrap_or_else(|_| p.manifest_path.clone())
                    == wanted
            })
        }
    };
    found.ok_or_else(|| {
        let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
        Error::new(
            ErrorKind::Build,
            match name {
                Some(name) => format!(
                    "no package `{name}` in {}; there are {names:?}",
                    manifest.display()
                ),
                None => format!(
                    "{} is not a package's manifest; name the driver's package with \
                     `Build::package` (one of {names:?})",
                    manifest.display()
                ),
            },
        )
    })
}

/// Picks the `cdylib` file of the library target `lib_name` out of cargo's JSON messages.
fn find_library(messages: &str, lib_name: &str) -> Result<PathBuf, String> {
    let artifacts = cdylib_artifacts(messages);
    let chosen = match artifacts.iter().find(|a| a.target.name == lib_name) {
        Some(artifact) => artifact,
        None if artifacts.len() == 1 => &artifacts[0],
        None => {
            return Err(format!(
                "cargo built {} cdylib(s) and none is the library `{lib_name}`: {artifacts:?}",
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
fn driver_name(library: &Path) -> Result<&str, Error> {
    let stem = library
        .file_stem()
        .and_then(|n| n.to_str())
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Build,
                format!("odd library path {}", library.display()),
            )
        })?;
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
/// [`Build::driver`] does this for its own directory; this puts a driver somewhere else,
/// such as an application's `priv/`.
///
/// ```no_run
/// use std::path::Path;
///
/// let driver = erldrv_test::Build::current().driver()?;
/// erldrv_test::install_driver(&driver.path, &driver.name, Path::new("priv"))?;
/// # Ok::<(), erldrv_test::Error>(())
/// ```
///
/// # Errors
///
/// If `dir` cannot be created or the file cannot be copied there.
pub fn install_driver(library: &Path, name: &str, dir: &Path) -> Result<Driver, Error> {
    let ext = if is_dll(library) { "dll" } else { "so" };
    let path = dir.join(format!("{name}.{ext}"));
    fs::create_dir_all(dir).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("could not create {}: {e}", dir.display()),
        )
    })?;
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    fs::copy(library, &tmp)
        .and_then(|_| fs::rename(&tmp, &path))
        .map_err(|e| {
            let _ = fs::remove_file(&tmp);
            Error::new(
                ErrorKind::Io,
                format!(
                    "could not copy {} to {}: {e}",
                    library.display(),
                    path.display()
                ),
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
        // Another lib target is still found when it is the only cdylib.
        assert!(find_library(MESSAGES, "echo_driver").is_ok());
        assert!(find_library("{\"reason\":\"build-finished\"}", "echo_drv").is_err());
    }

    #[test]
    fn handles_macos_and_escaped_paths() {
        let msg = r#"{"reason":"compiler-artifact","target":{"kind":["cdylib"],"name":"my_drv"},"filenames":["/Users/j\u00f6 \"x\"/target/beam/debug/libmy_drv.dylib"]}"#;
        assert_eq!(
            find_library(msg, "my_drv").unwrap(),
            Path::new("/Users/jö \"x\"/target/beam/debug/libmy_drv.dylib")
        );
    }

    #[test]
    fn installs_under_the_driver_name() {
        let base = env::temp_dir().join(format!("erldrv-test-install-{}", std::process::id()));
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
