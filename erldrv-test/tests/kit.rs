//! The kit itself, against a real driver (`examples/echo`) in a real BEAM: passing and
//! failing EUnit modules, snippets that answer, raise or hang, and a machine without `erl`.

use std::env;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use erldrv_test::{Beam, Build, ErrorKind};

fn echo() -> Beam {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    Beam::with_build(Build::at(root.join("../examples/echo")))
}

fn erl_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/erl")
}

#[test]
fn passing_eunit_module() {
    let out = echo().eunit_dir(erl_dir()).module("kit_pass_tests").run();
    assert!(out.stdout.contains("2 tests passed."), "{out}");
}

#[test]
fn failing_eunit_module_reports_the_failure() {
    let err = echo()
        .eunit_dir(erl_dir())
        .module("kit_fail_tests")
        .try_run()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::EunitFailed, "{err}");
    let text = err.to_string();
    for expected in [
        "EUnit for [\"kit_fail_tests\"] failed",
        "echo_is_not_what_we_say_test",
        "assertEqual",
        "the expected reply",
        "the actual reply",
    ] {
        assert!(text.contains(expected), "no {expected:?} in:\n{text}");
    }
}

#[test]
#[should_panic(expected = "Failed: 1.")]
fn failing_eunit_module_panics_with_the_report() {
    echo().eunit_dir(erl_dir()).module("kit_fail_tests").run();
}

#[test]
fn snippet_value_comes_back_as_text() {
    let beam = echo();
    assert_eq!(
        beam.eval(r#"P = open_port({spawn_driver, "echo_drv"}, [binary]), port_control(P, 0, <<"hello">>)"#),
        r#""hello""#
    );
    // A full stop, several lines, a fun, a term spanning more than 80 columns.
    assert_eq!(
        beam.eval("F = fun(X) -> {X, X} end,\nF(lists:seq(1, 40))."),
        format!(
            "{{{0},{0}}}",
            format!(
                "[{}]",
                (1..=40)
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            )
        )
    );
}

#[test]
fn snippet_error_names_the_erlang_error() {
    let err = echo()
        .try_eval(
            r#"io:format(standard_error, "said on stderr~n", []),
               P = open_port({spawn_driver, "echo_drv"}, [binary]),
               erlang:port_call(P, 7, x),
               erldrv:call(P, 7, x)"#,
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Raised, "{err}");
    let text = err.to_string();
    for expected in [
        "the Erlang snippet",
        "erldrv:call(P, 7, x)",
        "raised an exception",
        "unknown command 7",
        "said on stderr",
    ] {
        assert!(text.contains(expected), "no {expected:?} in:\n{text}");
    }
}

#[test]
#[should_panic(expected = "badarg")]
fn snippet_error_panics_with_the_erlang_error() {
    echo().eval("list_to_atom(42)");
}

#[test]
fn snippet_that_does_not_parse() {
    let err = echo().try_eval("1 +").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Syntax, "{err}");
    assert!(err.to_string().contains("does not parse"), "{err}");
}

#[test]
fn hung_vm_is_killed_and_reported() {
    let err = echo()
        .timeout(Duration::from_secs(3))
        .try_eval(r#"io:format("waiting~n"), receive never -> ok end"#)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    let text = err.to_string();
    assert!(text.contains("did not finish within 3s"), "{text}");
    assert!(
        text.contains("waiting"),
        "the output so far is kept:\n{text}"
    );
}

/// Without `erl` on `PATH`, the test fails (it is not skipped) saying what is missing and
/// how to install it. Run in a child process of this test binary, whose `PATH` points
/// nowhere.
#[test]
fn missing_erl_fails_saying_how_to_install() {
    const CHILD: &str = "ERLDRV_TEST_KIT_CHILD";
    if env::var_os(CHILD).is_some() {
        echo().eval("ok");
        return;
    }
    let out = Command::new(env::current_exe().unwrap())
        .args([
            "--exact",
            "missing_erl_fails_saying_how_to_install",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .env("PATH", "/nonexistent/erldrv-test")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "passed without erl:\n{text}");
    for expected in [
        "`erl` was not found on PATH (/nonexistent/erldrv-test)",
        "sudo apt-get install erlang-nox erlang-dev",
        "brew install erlang",
    ] {
        assert!(text.contains(expected), "no {expected:?} in:\n{text}");
    }
}
