//! Runs `test/udp_port_tests.erl` (with the client `erlang/udp_port.erl`) against the built
//! driver in a real `erl`.

use erldrv_harness::{Eunit, build_driver, workspace_root};

#[test]
fn udp_drv_in_the_beam() {
    let driver = build_driver("udp_drv");
    let root = workspace_root();
    Eunit::new(root.join("examples/udp/test"))
        .src_dir(root.join("examples/udp/erlang"))
        .src_dir(root.join("erlang/src"))
        .src_dir(root.join("erlang/test"))
        .module("udp_port_tests")
        .driver(&driver)
        .erl_args(["+S", "2:2"])
        .run();
}
