//! The project template (`template/` at the repository root), used the way its README
//! says: generated with cargo-generate, then tested with `rebar3 eunit` (or `mix test`
//! for the Mix variant), against this checkout's erldrv. cargo-generate, rebar3 and mix
//! are installed when missing (`erldrv_harness::tools`); a tool that is missing and
//! cannot be installed fails the tests, it never skips them.

use std::env;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use erldrv_harness::{ErlOutput, erl, run_captured, tools, workspace_root};

/// The projects the end-to-end tests generate. Their drivers are built in one target
/// directory, so their names differ.
const NAME: &str = "demo_drv";
const MIX_NAME: &str = "demo_ex";

/// cargo-generate itself takes well under a second.
const GENERATE_TIMEOUT: Duration = Duration::from_secs(120);

/// Building erldrv and the driver crate from scratch, on a slow machine.
const BUILD_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Where the generated projects go: cargo's scratch directory for integration tests
/// (`target/tmp`), so that a failed run can be looked at.
fn scratch() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("template")
}

/// An empty directory for one test's projects.
fn fresh_dir(label: &str) -> PathBuf {
    let dir = scratch().join(label);
    if dir.exists() {
        fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("removing {}: {e}", dir.display()));
    }
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    dir
}

/// The target directory of the generated driver crates, kept from run to run so that
/// erldrv is not rebuilt each time.
fn cargo_target_dir() -> PathBuf {
    scratch().join("cargo-target")
}

/// `cargo generate --path <repo>/template --name <name> ...`, non-interactive, into `dest`.
fn generate(dest: &Path, name: &str, defines: &[(&str, &Path)]) -> Command {
    let program = tools::cargo_generate().unwrap_or_else(|e| panic!("{e}"));
    let mut cmd = Command::new(program);
    cmd.arg("generate")
        .arg("--path")
        .arg(workspace_root().join("template"))
        .args(["--name", name, "--vcs", "none", "--silent", "--destination"])
        .arg(dest);
    for (key, value) in defines {
        let mut define = OsString::from(format!("{key}="));
        define.push(value);
        cmd.arg("--define").arg(define);
    }
    cmd
}

/// The cargo that runs the tests.
fn cargo() -> Command {
    Command::new(env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo")))
}

/// Runs `cmd` and returns what it printed, whatever its exit status.
fn run(cmd: &mut Command, timeout: Duration) -> ErlOutput {
    run_captured(cmd, timeout).unwrap_or_else(|e| panic!("could not run {cmd:?}: {e}"))
}

/// Runs `cmd`; fails the test with everything it printed unless it succeeds.
fn run_ok(cmd: &mut Command, timeout: Duration) -> ErlOutput {
    let out = run(cmd, timeout);
    assert!(out.success(), "{cmd:?} failed:\n{out}");
    out
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Every file of the generated project, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// No template syntax is left in the names or the contents of the project's files, and
/// none of the template's own files came along.
fn assert_fully_expanded(project: &Path) {
    let files = files(project);
    assert!(
        !files.is_empty(),
        "nothing generated in {}",
        project.display()
    );
    for file in &files {
        let shown = file.display().to_string();
        let name = file.file_name().unwrap().to_string_lossy();
        assert!(!shown.contains("{{"), "unexpanded file name {shown}");
        let template_own = name == "cargo-generate.toml" || name.ends_with(".rhai");
        assert!(
            !template_own && !name.ends_with(".liquid"),
            "template file {shown} in the generated project"
        );
        let text = read(file);
        // Liquid's tags; a lone `}}` is ordinary Erlang (`{Port, {total, T}}`).
        for tag in ["{{", "{%", "%}"] {
            assert!(
                !text.contains(tag),
                "{shown} still holds Liquid `{tag}`:\n{text}"
            );
        }
    }
}

/// The workspace version, `[workspace.package] version` in the root `Cargo.toml`.
fn workspace_version() -> String {
    let manifest = read(&workspace_root().join("Cargo.toml"));
    let package = manifest
        .split("[workspace.package]")
        .nth(1)
        .expect("a [workspace.package] table");
    package
        .lines()
        .find_map(|line| line.trim().strip_prefix("version = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .expect("a version in [workspace.package]")
        .to_owned()
}

/// How many lines of the template file `path` (relative to `template/`) start a test.
fn template_test_count(path: &str, is_test: fn(&str) -> bool) -> usize {
    read(&workspace_root().join("template").join(path))
        .lines()
        .filter(|line| is_test(line))
        .count()
}

/// Every path of `paths` (relative to `project`) exists, or none does.
fn assert_presence(project: &Path, paths: &[&str], present: bool) {
    for path in paths {
        assert_eq!(
            project.join(path).exists(),
            present,
            "{path} {} in {}",
            if present { "missing" } else { "present" },
            project.display()
        );
    }
}

/// The README's commands, against this checkout: the generated project builds its driver
/// and passes its own EUnit tests under `rebar3 eunit`.
#[test]
fn generated_project_passes_rebar3_eunit() {
    // Fails saying how to install Erlang/OTP when it is missing.
    erl();
    let rebar3 = tools::rebar3().unwrap_or_else(|e| panic!("{e}"));
    let dest = fresh_dir("eunit");
    let root = workspace_root();
    run_ok(
        &mut generate(&dest, NAME, &[("erldrv_checkout", root)]),
        GENERATE_TIMEOUT,
    );
    let project = dest.join(NAME);
    assert_fully_expanded(&project);
    assert_presence(&project, &["rebar.config", "src/demo_drv.erl"], true);
    assert_presence(&project, &["mix.exs", "lib", "test/test_helper.exs"], false);

    // The crate's Rust is formatted and free of lints, as its users will check.
    let manifest = project.join("native").join(NAME).join("Cargo.toml");
    run_ok(
        cargo()
            .args(["fmt", "--check", "--manifest-path"])
            .arg(&manifest),
        GENERATE_TIMEOUT,
    );
    run_ok(
        cargo()
            .args(["clippy", "--all-targets", "--manifest-path"])
            .arg(&manifest)
            .arg("--target-dir")
            .arg(cargo_target_dir())
            .args(["--", "-D", "warnings"]),
        BUILD_TIMEOUT,
    );

    let out = run_ok(
        Command::new(rebar3)
            .arg("eunit")
            .current_dir(&project)
            .env("CARGO_TARGET_DIR", cargo_target_dir()),
        BUILD_TIMEOUT,
    );
    println!("{out}");
    let tests = template_test_count("test/{{crate_name}}_tests.erl", |line| {
        line.ends_with("_test() ->")
    });
    let expected = format!("{tests} tests, 0 failures");
    assert!(
        out.stdout.contains(&expected),
        "rebar3 eunit did not report {expected:?}:\n{out}"
    );
    assert!(project.join("priv").join(format!("{NAME}.so")).is_file());
    fs::remove_dir_all(&dest).unwrap();
}

/// The Mix variant, from the same template: `mix test` builds the driver and passes the
/// ExUnit tests, and the Elixir code is formatted.
#[test]
fn generated_mix_project_passes_mix_test() {
    erl();
    let mix = tools::mix().unwrap_or_else(|e| panic!("{e}"));
    // Mix builds erldrv's Erlang side, a rebar3 project, with rebar3.
    let rebar3 = tools::rebar3().unwrap_or_else(|e| panic!("{e}"));
    let dest = fresh_dir("mix");
    let root = workspace_root();
    let mut cmd = generate(&dest, MIX_NAME, &[("erldrv_checkout", root)]);
    run_ok(cmd.args(["--define", "build_tool=mix"]), GENERATE_TIMEOUT);
    let project = dest.join(MIX_NAME);
    assert_fully_expanded(&project);
    assert_presence(&project, &["mix.exs", "lib/demo_ex.ex"], true);
    assert_presence(
        &project,
        &["rebar.config", "rebar.config.script", "src"],
        false,
    );

    run_ok(
        Command::new(&mix)
            .args(["format", "--check-formatted"])
            .current_dir(&project),
        GENERATE_TIMEOUT,
    );
    let out = run_ok(
        Command::new(&mix)
            .arg("test")
            .current_dir(&project)
            .env("MIX_REBAR3", rebar3)
            .env("CARGO_TARGET_DIR", cargo_target_dir()),
        BUILD_TIMEOUT,
    );
    println!("{out}");
    let tests = template_test_count("test/{{crate_name}}_test.exs", |line| {
        line.trim_start().starts_with("test \"")
    });
    let expected = format!("{tests} tests, 0 failures");
    assert!(
        out.stdout.contains(&expected),
        "mix test did not report {expected:?}:\n{out}"
    );
    assert!(
        project
            .join("priv")
            .join(format!("{MIX_NAME}.so"))
            .is_file()
    );
    fs::remove_dir_all(&dest).unwrap();
}

/// Without `erldrv_checkout`, the project (either variant) depends on the published
/// erldrv at this workspace's version: the crate from crates.io, the Erlang application
/// from the repository's release tag.
#[test]
fn default_project_depends_on_the_published_erldrv() {
    let dest = fresh_dir("published");
    run_ok(&mut generate(&dest, "my_drv", &[]), GENERATE_TIMEOUT);
    let project = dest.join("my_drv");
    assert_fully_expanded(&project);

    let version = workspace_version();
    let mut parts = version.split('.');
    let (major, minor) = (parts.next().unwrap(), parts.next().unwrap());
    let manifest = read(&project.join("native/my_drv/Cargo.toml"));
    let dependency = format!("erldrv = \"{major}.{minor}\"");
    assert!(
        manifest.contains(&dependency),
        "no {dependency} in:\n{manifest}"
    );
    let rebar_config = read(&project.join("rebar.config"));
    let tag = format!("{{tag, \"v{version}\"}}");
    assert!(rebar_config.contains(&tag), "no {tag} in:\n{rebar_config}");
    let app = read(&workspace_root().join("erlang/src/erldrv.app.src"));
    let vsn = format!("{{vsn, \"{version}\"}}");
    assert!(app.contains(&vsn), "no {vsn} in erlang/src/erldrv.app.src");
    // Nothing refers to a local checkout.
    assert!(!project.join("rebar.config.script").exists());
    assert!(!read(&project.join("README.md")).contains("A local erldrv"));

    let mut cmd = generate(&dest, "my_ex", &[]);
    run_ok(cmd.args(["--define", "build_tool=mix"]), GENERATE_TIMEOUT);
    let project = dest.join("my_ex");
    assert_fully_expanded(&project);
    let manifest = read(&project.join("native/my_ex/Cargo.toml"));
    assert!(
        manifest.contains(&dependency),
        "no {dependency} in:\n{manifest}"
    );
    let mix_exs = read(&project.join("mix.exs"));
    let tag = format!("tag: \"v{version}\"");
    assert!(mix_exs.contains(&tag), "no {tag} in:\n{mix_exs}");
    assert!(
        !mix_exs.contains("path:"),
        "a path dependency in:\n{mix_exs}"
    );
    fs::remove_dir_all(&dest).unwrap();
}

/// The project name must work as a crate, an Erlang module and a driver name: the
/// template refuses one that cannot, before writing any file.
#[test]
fn names_erlang_cannot_use_are_refused() {
    for (name, reason) in [
        ("end", "\"end\" is a reserved word in Erlang"),
        ("erldrv", "\"erldrv\" is taken by the erldrv crate"),
        ("9lives", "must start with a lowercase letter"),
    ] {
        let dest = fresh_dir(&format!("name-{name}"));
        let out = run(&mut generate(&dest, name, &[]), GENERATE_TIMEOUT);
        assert!(!out.success(), "{name:?} was accepted:\n{out}");
        assert!(
            out.stderr.contains(reason) || out.stdout.contains(reason),
            "refusing {name:?} did not say {reason:?}:\n{out}"
        );
        assert!(
            files(&dest).is_empty(),
            "files generated for {name:?}: {:?}",
            files(&dest)
        );
        fs::remove_dir_all(&dest).unwrap();
    }
}
