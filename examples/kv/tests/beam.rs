//! Runs `test/kv_tests.erl` (with the client `erlang/kv.erl`) against the built driver in a
//! real `erl`.

use erldrv_harness::{Eunit, build_driver, workspace_root};

#[test]
fn kv_drv_in_the_beam() {
    let driver = build_driver("kv_drv");
    let root = workspace_root();
    Eunit::new(root.join("examples/kv/test"))
        .src_dir(root.join("examples/kv/erlang"))
        .src_dir(root.join("erlang/src"))
        .src_dir(root.join("erlang/test"))
        .module("kv_tests")
        .driver(&driver)
        .erl_args(["+S", "2:2"])
        .run();
}
