//! The Erlang code the tests run with, shipped inside this crate, and compiling Erlang.

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

use crate::erl::erl;
use crate::error::{Error, ErrorKind};
use crate::process::{lock, run_captured};

/// How long one `erlc` run may take.
const COMPILE_TIMEOUT: Duration = Duration::from_secs(300);

/// The Erlang modules every VM started here has on its code path, by file name: the
/// `erldrv` application (`erldrv`, `erldrv_gen`), the test helpers `erldrv_test`
/// (`load/1`, `open/1`, `recv_data/1`, ...), and the runner `erldrv_test_run`.
const SOURCES: [(&str, &str); 5] = [
    ("erldrv.erl", include_str!("../erlang/erldrv.erl")),
    ("erldrv_gen.erl", include_str!("../erlang/erldrv_gen.erl")),
    ("erldrv_test.erl", include_str!("../erlang/erldrv_test.erl")),
    (
        "erldrv_test_run.erl",
        include_str!("../erlang/erldrv_test_run.erl"),
    ),
    ("erldrv.app.src", include_str!("../erlang/erldrv.app.src")),
];

/// Compiles the shipped modules into `<work_dir>/erldrv-<hash>/ebin` once (the hash of
/// their sources names the directory, so a newer erldrv-test never uses older code) and
/// returns that `ebin` directory, which also holds `erldrv.app`: the `erldrv` application
/// can be loaded and started there.
pub(crate) fn erldrv_ebin(work_dir: &Path) -> Result<PathBuf, Error> {
    // Concurrent tests of one process wait for the first; other processes compile into a
    // directory of their own and rename it into place.
    static DONE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    let mut done = lock(&DONE);
    let mut hasher = DefaultHasher::new();
    SOURCES.hash(&mut hasher);
    let app_dir = work_dir.join(format!("erldrv-{:016x}", hasher.finish()));
    let ebin = app_dir.join("ebin");
    if done.contains(&ebin) || ebin.join("erldrv.app").is_file() {
        return Ok(ebin);
    }
    let staging = work_dir.join(format!(".erldrv-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    let src = staging.join("src");
    let staged_ebin = staging.join("ebin");
    let io = |e: std::io::Error| {
        Error::new(
            ErrorKind::Io,
            format!("writing into {}: {e}", staging.display()),
        )
    };
    fs::create_dir_all(&src).map_err(io)?;
    for (name, text) in SOURCES {
        fs::write(src.join(name), text).map_err(io)?;
    }
    compile_erl(&[&src], &staged_ebin)?;
    let app = SOURCES[4].1;
    fs::write(staged_ebin.join("erldrv.app"), app).map_err(io)?;
    // Another process may have won the race; its copy is as good as ours.
    if fs::rename(&staging, &app_dir).is_err() && !ebin.join("erldrv.app").is_file() {
        return Err(Error::new(
            ErrorKind::Io,
            format!(
                "could not move {} to {}",
                staging.display(),
                app_dir.display()
            ),
        ));
    }
    let _ = fs::remove_dir_all(&staging);
    done.push(ebin.clone());
    Ok(ebin)
}

/// Compiles every `*.erl` file directly in `src_dirs` into `out_dir` (created if needed)
/// with `erlc`, and returns the module names. Every source directory is also an include
/// (`-I`) directory.
///
/// ```no_run
/// use std::path::Path;
///
/// let modules = erldrv_test::compile_erl(&[Path::new("test")], Path::new("target/ebin"))?;
/// assert!(modules.iter().any(|m| m.ends_with("_tests")));
/// # Ok::<(), erldrv_test::Error>(())
/// ```
///
/// # Errors
///
/// With `erlc`'s output if a file does not compile, if there is nothing to compile, or if
/// Erlang is missing.
pub fn compile_erl(src_dirs: &[&Path], out_dir: &Path) -> Result<Vec<String>, Error> {
    let mut sources = Vec::new();
    for dir in src_dirs {
        sources.extend(erl_sources(dir)?);
    }
    if sources.is_empty() {
        return Err(Error::new(
            ErrorKind::Compile,
            format!("no .erl files in {src_dirs:?}"),
        ));
    }
    fs::create_dir_all(out_dir).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("could not create {}: {e}", out_dir.display()),
        )
    })?;
    let mut cmd = Command::new(&erl()?.erlc);
    cmd.arg("-o").arg(out_dir);
    for dir in src_dirs {
        cmd.arg("-I").arg(dir);
    }
    cmd.args(&sources);
    let shown = format!("{cmd:?}");
    let out = run_captured(&mut cmd, COMPILE_TIMEOUT)
        .map_err(|e| Error::new(ErrorKind::Io, format!("could not run {shown}: {e}")))?;
    if !out.success() {
        return Err(Error::new(
            ErrorKind::Compile,
            format!("compiling Erlang failed\ncommand: {shown}\n{out}"),
        ));
    }
    Ok(sources.iter().filter_map(|p| module_name(p)).collect())
}

/// The `*.erl` files directly in `dir`, sorted for a stable order.
fn erl_sources(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let entries = fs::read_dir(dir).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("could not read directory {}: {e}", dir.display()),
        )
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "erl") && path.is_file())
        .collect();
    files.sort();
    Ok(files)
}

fn module_name(source: &Path) -> Option<String> {
    Some(source.file_stem()?.to_str()?.to_owned())
}

/// The modules of `dir` whose names end in `_tests`: EUnit's convention.
pub(crate) fn test_modules(dir: &Path) -> Result<Vec<String>, Error> {
    Ok(erl_sources(dir)?
        .iter()
        .filter_map(|p| module_name(p))
        .filter(|m| m.ends_with("_tests"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ships_the_erldrv_application() {
        let names: Vec<&str> = SOURCES.iter().map(|(name, _)| *name).collect();
        assert_eq!(names[4], "erldrv.app.src");
        for (name, text) in SOURCES {
            if let Some(module) = name.strip_suffix(".erl") {
                assert!(text.contains(&format!("-module({module}).")), "{name}");
            }
        }
        assert!(SOURCES[4].1.starts_with("{application, erldrv,"));
    }
}
