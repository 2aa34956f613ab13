//! `cargo erldrv gen` against the workspace's drivers, in a real `erl`: the Erlang client of
//! `examples/kv` is the checked-in `examples/kv/erlang/kv.erl`, `--check` fails on a
//! modified copy, and each refusal says why.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

/// A fresh, empty directory under `target/cargo-erldrv` for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = root().join("target/cargo-erldrv").join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// `cargo erldrv gen ARGS` on the kv example's manifest, as cargo runs a subcommand.
fn erldrv_gen(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-erldrv"));
    cmd.args(["erldrv", "gen", "--manifest-path"])
        .arg(root().join("examples/kv/Cargo.toml"))
        .args(args);
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn shown(out: &Output) -> String {
    format!(
        "status {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn kv_client_generated_checked_and_refusals() {
    let checked_in = root().join("examples/kv/erlang/kv.erl");
    let dir = scratch("kv");
    let erlang = dir.join("erlang");

    // Generated: the same bytes as the checked-in client.
    let out = run(erldrv_gen(&["-p", "kv_drv", "--erlang"]).arg(&erlang));
    assert!(out.status.success(), "{}", shown(&out));
    let generated = erlang.join("kv.erl");
    assert_eq!(
        fs::read_to_string(&generated).unwrap(),
        fs::read_to_string(&checked_in).unwrap(),
        "cargo erldrv gen's kv.erl differs from examples/kv/erlang/kv.erl"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Written"),
        "{}",
        shown(&out)
    );

    // Run again: nothing to rewrite, the file is left alone.
    let before = fs::metadata(&generated).unwrap().modified().unwrap();
    let out = run(erldrv_gen(&["-p", "kv_drv", "--erlang"]).arg(&erlang));
    assert!(out.status.success(), "{}", shown(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Up to date"),
        "{}",
        shown(&out)
    );
    assert_eq!(
        fs::metadata(&generated).unwrap().modified().unwrap(),
        before
    );

    // --check: passes on the checked-in client, fails (status 1) on a modified copy,
    // which it leaves as it was.
    let out = run(erldrv_gen(&["--check", "--erlang"]).arg(checked_in.parent().unwrap()));
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    let stale = fs::read_to_string(&generated)
        .unwrap()
        .replace("sync_command(Port", "sync_command( Port");
    fs::write(&generated, &stale).unwrap();
    let out = run(erldrv_gen(&["--check", "--erlang"]).arg(&erlang));
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is not up to date with driver kv_drv"),
        "{}",
        shown(&out)
    );
    assert_eq!(fs::read_to_string(&generated).unwrap(), stale);

    // The Elixir client too, named after the application.
    let out = run(erldrv_gen(&["--elixir"])
        .arg(dir.join("lib"))
        .args(["--elixir-module", "MyApp.Kv"]));
    assert!(out.status.success(), "{}", shown(&out));
    let ex = fs::read_to_string(dir.join("lib/kv.ex")).unwrap();
    assert!(ex.contains("defmodule MyApp.Kv do"), "{ex}");

    // A crate that builds no cdylib.
    let out = run(Command::new(env!("CARGO_BIN_EXE_cargo-erldrv"))
        .args(["erldrv", "gen", "-p", "erldrv-sys", "--erlang"])
        .arg(&erlang)
        .current_dir(root()));
    assert_eq!(out.status.code(), Some(2), "{}", shown(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("package erldrv-sys builds no cdylib"),
        "{}",
        shown(&out)
    );

    // A driver without commands.
    let out = run(Command::new(env!("CARGO_BIN_EXE_cargo-erldrv"))
        .args(["erldrv", "gen", "-p", "echo_drv", "--erlang"])
        .arg(&erlang)
        .current_dir(root()));
    assert_eq!(out.status.code(), Some(2), "{}", shown(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("driver echo_drv has no #[command] methods"),
        "{}",
        shown(&out)
    );

    // A driver the VM refuses to load: the VM's reason is shown.
    let out = run(Command::new(env!("CARGO_BIN_EXE_cargo-erldrv"))
        .args(["erldrv", "gen", "-p", "init_fail_drv", "--erlang"])
        .arg(&erlang)
        .env("INIT_FAIL_MODE", "error")
        .current_dir(root()));
    assert_eq!(out.status.code(), Some(2), "{}", shown(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("could not load driver init_fail_drv")
            && stderr.contains("deliberate init error"),
        "{}",
        shown(&out)
    );

    // No Erlang/OTP on PATH (cargo still found: the driver is built already).
    let cargo = PathBuf::from(std::env::var_os("CARGO").expect("cargo test sets CARGO"));
    let out = run(erldrv_gen(&["--erlang"])
        .arg(&erlang)
        .env("PATH", cargo.parent().unwrap()));
    assert_eq!(out.status.code(), Some(2), "{}", shown(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("`erlc` was not found on PATH"),
        "{}",
        shown(&out)
    );
}
