//! Runs `test/echo_drv_tests.erl` against the built driver in a real `erl`, through the
//! test kit `erldrv-test`, as a driver crate of its own would.

use erldrv_test::Beam;

#[test]
fn echo_drv_in_the_beam() {
    // `reload_100_times_test` unloads the driver and waits for it to go: the runner must
    // not keep a load of its own, so the tests load it themselves (erldrv_test:load/1).
    Beam::new().eunit().keep_loaded(false).run();
}

#[test]
fn control_from_a_snippet() {
    let reply = Beam::new().eval(
        r#"P = open_port({spawn_driver, "echo_drv"}, [binary]),
           port_control(P, 0, <<"hello">>)"#,
    );
    assert_eq!(reply, r#""hello""#);
}
