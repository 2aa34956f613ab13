//! The framework's own BEAM tests: each runs one Erlang module of `beam-tests/test` in a
//! fresh `erl` against the test drivers of `beam-tests/drivers`.

use erldrv_harness::{ErlOutput, Eunit, build_driver, workspace_root};

fn eunit(module: &str, drivers: &[&str]) -> Eunit {
    let root = workspace_root();
    let mut e = Eunit::new(root.join("beam-tests/test"))
        .src_dir(root.join("erlang/src"))
        .src_dir(root.join("erlang/test"))
        .module(module)
        // Two schedulers, so that port-level locking can show two ports running at once.
        .erl_args(["+S", "2:2"]);
    for d in drivers {
        e = e.driver(&build_driver(d));
    }
    e
}

fn assert_reported(out: &ErlOutput, text: &str) {
    assert!(
        out.stderr.contains(text),
        "expected {text:?} on the VM's stderr; output:\n{out}"
    );
}

#[test]
fn probe_every_callback_and_panic() {
    let out = eunit("probe_tests", &["probe_drv"]).run();
    // Panics in callbacks that have no Erlang process to tell are reported on stderr.
    assert_reported(
        &out,
        "panic in `stop` of driver \"probe_drv\" contained: deliberate panic in stop",
    );
    assert_reported(
        &out,
        "panic in `stop_select` of driver \"probe_drv\" contained: deliberate panic in stop_select",
    );
}

#[test]
fn probe_actions_from_start() {
    eunit("probe_start_tests", &["probe_drv"]).run();
}

/// Without async threads, `driver_async` runs the job and `ready_async` synchronously, from
/// inside the callback that spawned it.
#[test]
fn probe_without_async_threads() {
    eunit("probe_start_tests", &["probe_drv"])
        .erl_args(["+A", "0"])
        .run();
    eunit("probe_tests", &["probe_drv"])
        .erl_args(["+A", "0"])
        .run();
}

#[test]
fn probe_unload_runs_finish() {
    let out = eunit("probe_finish_tests", &["probe_drv"]).run();
    assert_reported(
        &out,
        "panic in `finish` of driver \"probe_drv\" contained: deliberate panic in finish",
    );
}

#[test]
fn port_locking_and_soft_busy() {
    eunit("locking_tests", &["locked_drv", "plain_drv"]).run();
}

#[test]
fn left_out_callbacks_are_null() {
    eunit("bare_tests", &["bare_drv"]).run();
}

#[test]
fn init_ack() {
    eunit("init_ack_tests", &["init_ack_drv"]).run();
}

#[test]
fn init_failures() {
    let out = eunit("init_fail_tests", &["init_fail_drv"]).run();
    assert_reported(
        &out,
        "panic in `init` of driver \"init_fail_drv\" contained: deliberate panic in init",
    );
    assert_reported(
        &out,
        "driver \"init_fail_drv\" failed to initialise: deliberate init error",
    );
}

/// The term codec against the VM's own: random terms through decode and encode.
#[test]
fn term_codec_round_trips() {
    eunit("etf_tests", &["etf_drv"]).run();
}

/// Every kind of term output specification, received as the expected term.
#[test]
fn term_output() {
    eunit("terms_tests", &["terms_drv"]).run();
}
