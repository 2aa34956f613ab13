//! The erldrv Erlang application (`erlang/` at the repository root) as its users get it:
//! rebar3 builds its documentation, and Mix builds it, with the Elixir module `Erldrv`,
//! offline and without rebar3. Each runs in a copy, so that the checkout stays clean.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use erldrv_harness::{erl, run_captured, tools, workspace_root};

const TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// A fresh copy of `erlang/` (without a `_build/` of a run by hand) in cargo's scratch
/// directory.
fn copy_of_erlang(label: &str) -> PathBuf {
    fn copy(from: &Path, to: &Path) {
        fs::create_dir_all(to).unwrap_or_else(|e| panic!("creating {}: {e}", to.display()));
        for entry in fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let (path, target) = (entry.path(), to.join(entry.file_name()));
            if entry.file_name() == "_build" || entry.file_name() == "doc" {
                continue;
            }
            if path.is_dir() {
                copy(&path, &target);
            } else {
                fs::copy(&path, &target)
                    .unwrap_or_else(|e| panic!("copying {}: {e}", path.display()));
            }
        }
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("erlang-app")
        .join(label);
    if dir.exists() {
        fs::remove_dir_all(&dir).unwrap();
    }
    copy(&workspace_root().join("erlang"), &dir);
    dir
}

fn run_ok(cmd: &mut Command) -> String {
    let out = run_captured(cmd, TIMEOUT).unwrap_or_else(|e| panic!("running {cmd:?}: {e}"));
    assert!(out.success(), "{cmd:?} failed:\n{out}");
    format!("{}{}", out.stdout, out.stderr)
}

/// `rebar3 edoc` builds the documentation of every module, without a warning, and the
/// exported functions carry their `@doc`.
#[test]
fn rebar3_edoc_builds_the_docs() {
    erl();
    let rebar3 = tools::rebar3().unwrap_or_else(|e| panic!("{e}"));
    let dir = copy_of_erlang("edoc");
    let out = run_ok(Command::new(rebar3).arg("edoc").current_dir(&dir));
    for word in ["warning", "error", "skipping"] {
        assert!(
            !out.to_lowercase().contains(word),
            "rebar3 edoc said {word}:\n{out}"
        );
    }
    let html = fs::read_to_string(dir.join("doc/erldrv.html")).expect("doc/erldrv.html");
    for text in [
        "Loads driver Name from the priv directory of application App",
        "What a generated client's open/1 calls",
    ] {
        assert!(html.contains(text), "no {text:?} in doc/erldrv.html");
    }
    assert!(dir.join("doc/erldrv_gen.html").is_file());
}

/// The application needs nothing but kernel and stdlib: no Elixir for rebar3 users.
#[test]
fn the_app_depends_on_kernel_and_stdlib_only() {
    let app = fs::read_to_string(workspace_root().join("erlang/src/erldrv.app.src")).unwrap();
    assert!(app.contains("{applications, [kernel, stdlib]}"), "{app}");
    for key in ["{licenses,", "{links,", "{description,", "{vsn,"] {
        assert!(app.contains(key), "no {key} in erldrv.app.src:\n{app}");
    }
}

/// Mix compiles the application and `Erldrv` from `erlang/mix.exs` with warnings as
/// errors, offline, with neither a local rebar nor rebar3, and its ExUnit tests (the
/// doctests of `Erldrv` among them) pass.
#[test]
fn mix_builds_the_app_and_erldrv_ex_without_rebar3() {
    erl();
    let mix = tools::mix().unwrap_or_else(|e| panic!("{e}"));
    let dir = copy_of_erlang("mix");
    let mix_home = dir.join("_mix_home");
    fs::create_dir_all(&mix_home).unwrap();
    let env = |cmd: &mut Command| {
        cmd.current_dir(&dir)
            .env("MIX_HOME", &mix_home)
            .env("MIX_REBAR3", dir.join("no-rebar3"))
            .env("HEX_OFFLINE", "1");
    };
    let mut compile = Command::new(&mix);
    compile.args(["compile", "--warnings-as-errors"]);
    env(&mut compile);
    run_ok(&mut compile);
    assert!(
        dir.join("_build/dev/lib/erldrv/ebin/Elixir.Erldrv.beam")
            .is_file()
    );
    assert!(
        dir.join("_build/dev/lib/erldrv/ebin/erldrv_gen.beam")
            .is_file()
    );
    let mut test = Command::new(&mix);
    test.arg("test");
    env(&mut test);
    let out = run_ok(&mut test);
    assert!(out.contains(", 0 failures"), "mix test:\n{out}");
    assert!(out.contains("doctests"), "no doctests ran:\n{out}");
}
