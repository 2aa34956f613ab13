//! Runs `test/hasher_tests.erl` (with the client `erlang/hasher.erl`) against the built
//! driver in a real `erl`.

use erldrv_harness::{Eunit, build_driver, workspace_root};

#[test]
fn hash_drv_in_the_beam() {
    let driver = build_driver("hash_drv");
    let root = workspace_root();
    Eunit::new(root.join("examples/hash/test"))
        .src_dir(root.join("examples/hash/erlang"))
        .src_dir(root.join("erlang/src"))
        .src_dir(root.join("erlang/test"))
        .module("hasher_tests")
        .driver(&driver)
        .erl_args(["+S", "2:2"])
        .run();
}
