//! Runs `test/callers_tests.erl` (with the client `erlang/callers.erl` and the gen_server
//! `erlang/callers_server.erl`) against the built driver in a real `erl`.

use erldrv_harness::{Eunit, build_driver, workspace_root};

#[test]
fn callers_drv_in_the_beam() {
    let driver = build_driver("callers_drv");
    let root = workspace_root();
    Eunit::new(root.join("examples/callers/test"))
        .src_dir(root.join("examples/callers/erlang"))
        .src_dir(root.join("erlang/src"))
        .src_dir(root.join("erlang/test"))
        .module("callers_tests")
        .driver(&driver)
        .run();
}
