//! Runs `test/kv_tests.erl` against the built driver in a real `erl`, through the client
//! `erlang/kv.erl` generated from the driver's commands (and checked to be up to date), and
//! runs dialyzer on that client and on the tests that call it.

use std::fs;
use std::path::{Path, PathBuf};

use erldrv_harness::dialyzer::Dialyzer;
use erldrv_harness::{Eunit, beam_dir, build_driver, install_driver, workspace_root};

/// A fresh, empty directory under `target/beam/kv` for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = beam_dir().join("kv").join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// The application `kv` in `dir`, whose `priv` holds the driver the generated client's
/// `kv:open/0` loads (`code:priv_dir(kv)`); returns its `ebin`, for the code path.
fn kv_app(dir: &Path) -> PathBuf {
    let driver = build_driver("kv_drv");
    let app = dir.join("kv");
    install_driver(&driver.path, &driver.name, &app.join("priv")).unwrap();
    let ebin = app.join("ebin");
    fs::create_dir_all(&ebin).unwrap();
    ebin
}

#[test]
fn kv_drv_in_the_beam() {
    let driver = build_driver("kv_drv");
    let root = workspace_root();
    let ebin = kv_app(&scratch("eunit"));
    Eunit::new(root.join("examples/kv/test"))
        .src_dir(root.join("examples/kv/erlang"))
        .src_dir(root.join("erlang/src"))
        .src_dir(root.join("erlang/test"))
        .module("kv_tests")
        .driver(&driver)
        .env("KV_CLIENT", root.join("examples/kv/erlang/kv.erl"))
        .erl_args(["+S", "2:2", "-pa"])
        .erl_args([&ebin])
        .run();
}

/// Dialyzer finds nothing in the generated client nor in the tests that call it: the
/// calls agree with the specs the driver's Rust signatures gave the client.
#[test]
fn kv_client_dialyzer() {
    let root = workspace_root();
    let sources = [
        root.join("erlang/src/erldrv.erl"),
        root.join("erlang/src/erldrv_gen.erl"),
        root.join("erlang/test/erldrv_test.erl"),
        root.join("examples/kv/erlang/kv.erl"),
        root.join("examples/kv/test/kv_tests.erl"),
    ];
    let dialyzer = Dialyzer::new(
        &scratch("dialyzer"),
        &sources,
        &["erldrv", "erldrv_gen", "erldrv_test"],
    );
    let report = dialyzer.analyse(&["kv", "kv_tests"]);
    assert!(
        report.contains("passed successfully"),
        "dialyzer found something in the kv client or its tests:\n{report}"
    );
}
