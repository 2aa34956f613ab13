//! Runs `test/echo_drv_tests.erl` against the built driver in a real `erl`.

use erldrv_harness::{Eunit, build_driver, workspace_root};

#[test]
fn echo_drv_in_the_beam() {
    let driver = build_driver("echo_drv");
    let root = workspace_root();
    Eunit::new(root.join("examples/echo/test"))
        .src_dir(root.join("erlang/src"))
        .src_dir(root.join("erlang/test"))
        .module("echo_drv_tests")
        .driver(&driver)
        .run();
}
