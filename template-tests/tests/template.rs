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

/// `cargo generate --path <repo>/template --name <name> ...`, non-interactive, into `dest`,
/// with `--define key=value` for each of `defines`: without a terminal, the template needs
/// `build_tool` and `erldrv_checkout` given so (see [`generate_with`]).
fn generate(dest: &Path, name: &str, build_tool: &str, checkout: Option<&Path>) -> Command {
    let checkout = checkout.map_or_else(OsString::new, |c| c.as_os_str().to_owned());
    generate_with(
        dest,
        name,
        &[
            ("build_tool", build_tool.as_ref()),
            ("erldrv_checkout", &checkout),
        ],
    )
}

/// `cargo generate` as [`generate`] does, with exactly the given defines.
fn generate_with(dest: &Path, name: &str, defines: &[(&str, &std::ffi::OsStr)]) -> Command {
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

/// The command the tests add to a generated project's driver, to see the next build
/// regenerate the client: inserted before the driver's `output` method.
const NEW_COMMAND: &str = "    /// Twice the total.
    #[command]
    fn double(&self) -> i64 {
        self.total.saturating_mul(2)
    }

";

/// Adds [`NEW_COMMAND`] to the driver crate of the generated project `project`.
fn add_command(project: &Path, name: &str) {
    let lib = project.join("native").join(name).join("src").join("lib.rs");
    let source = read(&lib);
    let at = source
        .find("    fn output(")
        .unwrap_or_else(|| panic!("no output method in {}", lib.display()));
    let mut changed = source.clone();
    changed.insert_str(at, NEW_COMMAND);
    fs::write(&lib, changed).unwrap_or_else(|e| panic!("writing {}: {e}", lib.display()));
}

/// Every file and directory under the checkout's `erlang/` (the erldrv application), to
/// see that building a generated project leaves it as it was.
fn erlang_dir_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        let entries =
            fs::read_dir(dir).unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            found.push(path.clone());
            if path.is_dir() {
                walk(&path, found);
            }
        }
    }
    let mut found = Vec::new();
    walk(&workspace_root().join("erlang"), &mut found);
    found.sort();
    found
}

/// When `path` was last written.
fn modified(path: &Path) -> std::time::SystemTime {
    fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("reading the time of {}: {e}", path.display()))
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
        &mut generate(&dest, NAME, "rebar3", Some(root)),
        GENERATE_TIMEOUT,
    );
    let project = dest.join(NAME);
    assert_fully_expanded(&project);
    assert_presence(&project, &["rebar.config", "src/demo_drv.erl"], true);
    assert_presence(&project, &["mix.exs", "lib", "test/test_helper.exs"], false);
    // The client is the build's to write, from the driver.
    let client = project.join("src").join(format!("{NAME}_native.erl"));
    assert_presence(&project, &["src/demo_drv_native.erl"], false);
    // The tests call the generated client.
    let tests = read(&project.join("test").join(format!("{NAME}_tests.erl")));
    assert!(
        tests.contains(&format!("-define(DRV, {NAME}_native)."))
            && tests.contains("?DRV:add(P, 5)"),
        "the EUnit tests do not call the generated client:\n{tests}"
    );

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
    // The crate's own tests: the test kit builds the driver and runs its snippets in erl.
    let out = run_ok(
        cargo()
            .args(["test", "--manifest-path"])
            .arg(&manifest)
            .arg("--target-dir")
            .arg(cargo_target_dir()),
        BUILD_TIMEOUT,
    );
    assert!(
        out.stdout.contains("test result: ok. 3 passed"),
        "cargo test of the driver crate did not pass its 3 tests:\n{out}"
    );

    // rebar3 `task` in the project, with the shared cargo target directory.
    let rebar3_run = |task: &str| {
        run_ok(
            Command::new(&rebar3)
                .arg(task)
                .current_dir(&project)
                .env("CARGO_TARGET_DIR", cargo_target_dir()),
            BUILD_TIMEOUT,
        )
    };
    let before = erlang_dir_files();
    let out = rebar3_run("eunit");
    println!("{out}");
    assert_eq!(
        erlang_dir_files(),
        before,
        "building the project wrote into the erldrv checkout's erlang/"
    );
    // The plain test functions, and the application's, one `{"title", fun f/0}` each.
    let tests = template_test_count("test/{{crate_name}}_tests.erl", |line| {
        line.ends_with("_test() ->") || line.trim_start_matches([' ', '[']).starts_with("{\"")
    });
    let expected = format!("{tests} tests, 0 failures");
    assert!(
        out.stdout.contains(&expected),
        "rebar3 eunit did not report {expected:?}:\n{out}"
    );
    assert!(project.join("priv").join(format!("{NAME}.so")).is_file());

    // rebar3's build generated the client from the driver's commands.
    assert!(
        out.stdout
            .contains(&format!("erldrv_gen: src/{NAME}_native.erl written")),
        "rebar3 eunit did not generate the client:\n{out}"
    );
    let source = read(&client);
    for line in [
        format!("-module({NAME}_native)."),
        "do not edit".to_owned(),
        "-export([add/2, total/1, reset/1, hash/2, hash/3]).".to_owned(),
    ] {
        assert!(
            source.contains(&line),
            "no {line:?} in the client:\n{source}"
        );
    }

    // Building again leaves an up-to-date client alone.
    let before = modified(&client);
    let out = rebar3_run("compile");
    assert!(
        out.stdout
            .contains(&format!("erldrv_gen: src/{NAME}_native.erl unchanged")),
        "rebar3 compile did not find the client up to date:\n{out}"
    );
    assert_eq!(
        modified(&client),
        before,
        "an unchanged client was rewritten"
    );
    assert_eq!(read(&client), source);

    // A new command in the driver: the next build puts it in the client.
    add_command(&project, NAME);
    let out = rebar3_run("compile");
    assert!(
        out.stdout
            .contains(&format!("erldrv_gen: src/{NAME}_native.erl written")),
        "rebar3 compile did not regenerate the client:\n{out}"
    );
    let source = read(&client);
    assert!(
        source.contains("-export([add/2, total/1, reset/1, hash/2, hash/3, double/1]).")
            && source.contains("%% @doc Twice the total."),
        "the regenerated client lacks the new command:\n{source}"
    );
    fs::remove_dir_all(&dest).unwrap();
}

/// The Mix variant, from the same template: `mix test` builds the driver and passes the
/// ExUnit tests, and the Elixir code is formatted.
#[test]
fn generated_mix_project_passes_mix_test() {
    erl();
    let mix = tools::mix().unwrap_or_else(|e| panic!("{e}"));
    let dest = fresh_dir("mix");
    // Mix compiles erldrv's Erlang side itself (its mix.exs), offline: a Mix home without
    // a local rebar, and a rebar3 that does not exist, fail the build if Mix reaches for
    // either.
    let mix_home = dest.join("mix-home");
    fs::create_dir_all(&mix_home).unwrap();
    let no_rebar3 = dest.join("no-rebar3");
    let root = workspace_root();
    run_ok(
        &mut generate(&dest, MIX_NAME, "mix", Some(root)),
        GENERATE_TIMEOUT,
    );
    let project = dest.join(MIX_NAME);
    assert_fully_expanded(&project);
    assert_presence(&project, &["mix.exs", "lib/demo_ex.ex"], true);
    assert_presence(
        &project,
        &[
            "rebar.config",
            "rebar.config.script",
            "src",
            "native/client.sh",
            // The build's to write, from the driver.
            "lib/demo_ex/native.ex",
        ],
        false,
    );
    let client = project.join("lib").join(MIX_NAME).join("native.ex");
    // The tests call the generated client, name/n and name!/n.
    let tests = read(&project.join("test").join(format!("{MIX_NAME}_test.exs")));
    assert!(
        tests.contains("alias DemoEx.Native, as: Drv")
            && tests.contains("Drv.add(p, 5)")
            && tests.contains("Drv.add!(p, -7)"),
        "the ExUnit tests do not call the generated client:\n{tests}"
    );

    run_ok(
        Command::new(&mix)
            .args(["format", "--check-formatted"])
            .current_dir(&project),
        GENERATE_TIMEOUT,
    );
    let before = erlang_dir_files();
    let out = run_ok(
        Command::new(&mix)
            .arg("test")
            .current_dir(&project)
            .env("MIX_HOME", &mix_home)
            .env("MIX_REBAR3", &no_rebar3)
            .env("HEX_OFFLINE", "1")
            .env("CARGO_TARGET_DIR", cargo_target_dir()),
        BUILD_TIMEOUT,
    );
    println!("{out}");
    assert_eq!(
        erlang_dir_files(),
        before,
        "building the project wrote into the erldrv checkout's erlang/"
    );
    assert!(
        project
            .join("_build/test/lib/erldrv/ebin/Elixir.Erldrv.beam")
            .is_file(),
        "Mix did not build erldrv (with its Elixir module) into the project's _build"
    );
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

    // Mix's build generated the client from the driver's commands.
    let shown = format!("Generated lib/{MIX_NAME}/native.ex");
    assert!(
        out.stdout.contains(&shown),
        "mix test did not generate the client:\n{out}"
    );
    let source = read(&client);
    for line in [
        "defmodule DemoEx.Native do",
        "do not edit",
        "def add(port, n)",
        "def add!(port, n)",
        "def hash(port, data, timeout \\\\ 5000)",
    ] {
        assert!(
            source.contains(line),
            "no {line:?} in the client:\n{source}"
        );
    }
    // The generated file is written formatted: the formatter check covers it too.
    run_ok(
        Command::new(&mix)
            .args(["format", "--check-formatted"])
            .current_dir(&project),
        GENERATE_TIMEOUT,
    );

    // Building again (another environment, same sources) leaves the client alone.
    let before = modified(&client);
    let compile = |mix: &Path| {
        run_ok(
            Command::new(mix)
                .arg("compile")
                .current_dir(&project)
                .env("MIX_HOME", &mix_home)
                .env("MIX_REBAR3", &no_rebar3)
                .env("HEX_OFFLINE", "1")
                .env("CARGO_TARGET_DIR", cargo_target_dir()),
            BUILD_TIMEOUT,
        )
    };
    let out = compile(&mix);
    assert!(
        !out.stdout.contains(&shown),
        "mix compile regenerated an up-to-date client:\n{out}"
    );
    assert_eq!(
        modified(&client),
        before,
        "an unchanged client was rewritten"
    );
    assert_eq!(read(&client), source);

    // A new command in the driver: the next build puts it in the client.
    add_command(&project, MIX_NAME);
    let out = compile(&mix);
    assert!(
        out.stdout.contains(&shown),
        "mix compile did not regenerate the client:\n{out}"
    );
    let source = read(&client);
    assert!(
        source.contains("def double(port)") && source.contains("Twice the total."),
        "the regenerated client lacks the new command:\n{source}"
    );
    fs::remove_dir_all(&dest).unwrap();
}

/// Without `erldrv_checkout`, the project (either variant) depends on the published
/// erldrv at this workspace's version: the crate from crates.io, the Erlang application
/// from the repository's release tag.
#[test]
fn default_project_depends_on_the_published_erldrv() {
    let dest = fresh_dir("published");
    run_ok(
        &mut generate(&dest, "my_drv", "rebar3", None),
        GENERATE_TIMEOUT,
    );
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
    let kit = format!("erldrv-test = \"{major}.{minor}\"");
    assert!(manifest.contains(&kit), "no {kit} in:\n{manifest}");
    // The Erlang application from hex.pm.
    let rebar_config = read(&project.join("rebar.config"));
    let hex = format!("{{erldrv, \"{version}\"}}");
    assert!(rebar_config.contains(&hex), "no {hex} in:\n{rebar_config}");
    assert!(
        !rebar_config.contains("git"),
        "a git source in:\n{rebar_config}"
    );
    // The README says how to switch to a checkout.
    let readme = read(&project.join("README.md"));
    assert!(
        readme.contains("builds against the published erldrv")
            && readme.contains("ln -s /path/to/erldrv/erlang _checkouts/erldrv"),
        "the README does not say how to switch between the release and a checkout:\n{readme}"
    );
    let app = read(&workspace_root().join("erlang/src/erldrv.app.src"));
    let vsn = format!("{{vsn, \"{version}\"}}");
    assert!(app.contains(&vsn), "no {vsn} in erlang/src/erldrv.app.src");
    // Nothing refers to a local checkout.
    assert!(!project.join("rebar.config.script").exists());

    run_ok(&mut generate(&dest, "my_ex", "mix", None), GENERATE_TIMEOUT);
    let project = dest.join("my_ex");
    assert_fully_expanded(&project);
    let manifest = read(&project.join("native/my_ex/Cargo.toml"));
    assert!(
        manifest.contains(&dependency),
        "no {dependency} in:\n{manifest}"
    );
    let mix_exs = read(&project.join("mix.exs"));
    let hex = format!("{{:erldrv, \"~> {version}\"}}");
    assert!(mix_exs.contains(&hex), "no {hex} in:\n{mix_exs}");
    assert!(
        !mix_exs.contains("manager: :rebar3"),
        "a rebar3 dependency in:\n{mix_exs}"
    );
    let readme = read(&project.join("README.md"));
    assert!(
        readme.contains("{:erldrv, path: \"/path/to/erldrv/erlang\"}"),
        "the README does not say how to switch to a checkout:\n{readme}"
    );
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
        let out = run(&mut generate(&dest, name, "rebar3", None), GENERATE_TIMEOUT);
        assert!(!out.success(), "{name:?} was accepted:\n{out}");
        assert!(
            out.stderr.contains(reason) || out.stdout.contains(reason),
            "refusing {name:?} did not say {reason:?}:\n{out}"
        );
        // Not even the empty project directory.
        let left: Vec<_> = fs::read_dir(&dest)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert!(left.is_empty(), "left behind for {name:?}: {left:?}");
        fs::remove_dir_all(&dest).unwrap();
    }
}

/// A relative `erldrv_checkout` is taken from the current directory (no `--destination`
/// here), made absolute and normalized, in every file that names it.
#[test]
fn a_relative_checkout_is_made_absolute() {
    let dest = fresh_dir("relative");
    let cmd = generate_with(
        &dest,
        "rel_drv",
        &[
            ("build_tool", "mix".as_ref()),
            ("erldrv_checkout", "src/./erldrv/../erldrv/".as_ref()),
        ],
    );
    // `generate_with` names the destination; a relative checkout is resolved against
    // it, which is the current directory when --destination is left out.
    let args: Vec<OsString> = cmd.get_args().map(OsString::from).collect();
    let at = args.iter().position(|a| a == "--destination").unwrap();
    let mut cmd = Command::new(cmd.get_program());
    cmd.args(&args[..at])
        .args(&args[at + 2..])
        .current_dir(&dest);
    run_ok(&mut cmd, GENERATE_TIMEOUT);
    let project = dest.join("rel_drv");
    assert_fully_expanded(&project);
    let absolute = format!("{}/src/erldrv", dest.display());
    let manifest = read(&project.join("native/rel_drv/Cargo.toml"));
    let crate_path = format!("erldrv = {{ path = \"{absolute}/erldrv\" }}");
    assert!(
        manifest.contains(&crate_path),
        "no {crate_path} in:\n{manifest}"
    );
    let mix_exs = read(&project.join("mix.exs"));
    let dep = format!("{{:erldrv, path: \"{absolute}/erlang\"}}");
    assert!(mix_exs.contains(&dep), "no {dep} in:\n{mix_exs}");
    fs::remove_dir_all(&dest).unwrap();
}

/// A checkout path that TOML, Erlang or Elixir strings would read differently is refused,
/// saying why.
#[test]
fn a_checkout_that_strings_cannot_hold_is_refused() {
    let dest = fresh_dir("bad-checkout");
    let out = run(
        &mut generate(&dest, "bad_drv", "rebar3", Some(Path::new("/tmp/a#{b}"))),
        GENERATE_TIMEOUT,
    );
    assert!(!out.success(), "a checkout with # was accepted:\n{out}");
    let text = format!("{}{}", out.stdout, out.stderr);
    assert!(
        text.contains("erldrv_checkout \"/tmp/a#{b}\" holds #")
            && text.contains("#{ interpolates in Elixir"),
        "refusing the checkout did not say why:\n{out}"
    );
    fs::remove_dir_all(&dest).unwrap();
}

/// Without a terminal to ask on, a run that lacks a value says which `--define` to pass,
/// for every value missing.
#[test]
fn a_run_without_a_terminal_names_the_missing_defines() {
    let dest = fresh_dir("no-terminal");
    let out = run(&mut generate_with(&dest, "my_drv", &[]), GENERATE_TIMEOUT);
    assert!(!out.success(), "generated without the values:\n{out}");
    let text = format!("{}{}", out.stdout, out.stderr);
    for define in ["--define build_tool=rebar3", "--define erldrv_checkout="] {
        assert!(text.contains(define), "no {define:?} in:\n{out}");
    }
    // With one of them given, the other is named.
    let out = run(
        &mut generate_with(&dest, "my_drv2", &[("build_tool", "mix".as_ref())]),
        GENERATE_TIMEOUT,
    );
    let text = format!("{}{}", out.stdout, out.stderr);
    assert!(
        !out.success()
            && text.contains("no value for erldrv_checkout")
            && !text.contains("--define build_tool"),
        "{out}"
    );
    fs::remove_dir_all(&dest).unwrap();
}
