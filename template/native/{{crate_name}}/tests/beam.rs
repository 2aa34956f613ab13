//! The driver in a real Erlang VM, from `cargo test` in this directory: `erldrv-test`
//! builds the crate, starts `erl`, loads the driver and runs each snippet against it.
//! (The project's own EUnit tests, through the generated client, run with the build
//! tool; these need only Rust and Erlang.)

use erldrv_test::Beam;

/// `body` after opening a port `P` and binding `Id` to a function from command names to
/// their numbers.
fn with_port(body: &str) -> String {
    let open = r#"P = erldrv:open("{{crate_name}}", [binary]),
        Ids = maps:from_list([{N, I} || #{name := N, id := I} <- erldrv:commands(P)]),
        Id = fun(Name) -> maps:get(Name, Ids) end,"#;
    format!("{open}\n{body}")
}

#[test]
fn commands_add_and_reset() {
    let total = Beam::new().eval(&with_port(
        r#"{ok, 5} = erldrv:command(P, Id(add), {5}),
           {ok, -2} = erldrv:command(P, Id(add), {-7}),
           -2 = erldrv:command(P, Id(reset), {}),
           erldrv:command(P, Id(total), {})"#,
    ));
    assert_eq!(total, "0");
}

#[test]
fn bad_arguments_say_why() {
    let err = Beam::new()
        .try_eval(&with_port(r#"erldrv:command(P, Id(add), {<<"1">>})"#))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("command add: expected an integer, found a binary"),
        "{err}"
    );
}

#[test]
fn port_command_data_is_counted() {
    let reply = Beam::new().eval(
        r#"P = erldrv:open("{{crate_name}}", [binary]),
           true = port_command(P, [<<"io">>, $l, "ist"]),
           receive {P, Reply} -> Reply after 5000 -> timeout end"#,
    );
    assert_eq!(reply, "{total,6}");
}
