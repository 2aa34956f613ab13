%% A short session with the echo_drv example driver, run by `cargo xtask demo`:
%%
%%     erl -noshell -pa EBIN -eval 'echo_demo:run("DRIVER_DIR"), halt().'
%%
%% Each request is printed before it is made, and its reply after it. If
%% anything goes wrong the error is printed and the node halts with status 1.
-module(echo_demo).
-export([run/1]).

-define(DRIVER, "echo_drv").
%% How long to wait for the driver's answer to port_command/2.
-define(REPLY_TIMEOUT_MS, 5000).

run(DriverDir) ->
    %% The port is linked to us: should it crash, its exit signal arrives as
    %% a message we can report, instead of silently killing this process.
    process_flag(trap_exit, true),
    try
        session(DriverDir)
    catch
        Class:Reason:Stack ->
            io:format(standard_error, "~nThe demo failed: ~p:~tp~n~tp~n",
                      [Class, Reason, Stack]),
            halt(1)
    end.

session(Dir) ->
    io:format("Erlang/OTP ~s, driver directory ~ts~n~n",
              [erlang:system_info(otp_release), Dir]),

    %% erldrv:load/2 raises an error that says what is wrong if the driver does not load.
    request("erldrv:load(~tp, ~p)", [Dir, ?DRIVER]),
    reply(erldrv:load(Dir, ?DRIVER)),

    request("Port = open_port({spawn_driver, ~p}, [binary])", [?DRIVER]),
    Port = open_port({spawn_driver, ?DRIVER}, [binary]),
    reply(Port),

    Data = <<"hello, driver">>,
    request("port_command(Port, ~p)", [Data]),
    true = port_command(Port, Data),
    Echo = receive
               {Port, {data, _}} = Message -> Message;
               {'EXIT', Port, Why} -> error({port_exited, Why})
           after ?REPLY_TIMEOUT_MS ->
               error({no_reply_within_ms, ?REPLY_TIMEOUT_MS})
           end,
    reply(Echo),
    expect({Port, {data, Data}}, Echo),

    request("port_control(Port, 0, ~p)", [<<"hello">>]),
    Control = port_control(Port, 0, <<"hello">>),
    reply(Control),
    %% A list in the port's default mode; a binary if the driver asked for
    %% binary control replies. Either way the same bytes.
    expect(<<"hello">>, iolist_to_binary(Control)),

    Term = {any, [term, 42], <<"at all">>, #{pi => 3.14}},
    request("erlang:port_call(Port, 0, ~p)", [Term]),
    Called = erlang:port_call(Port, 0, Term),
    reply(Called),
    expect(Term, Called),

    request("port_close(Port)", []),
    reply(port_close(Port)),

    request("erldrv:unload(~p)", [?DRIVER]),
    expect(ok, reply(erldrv:unload(?DRIVER))),

    io:format("The echo driver answered every request.~n"),
    ok.

request(Format, Args) ->
    io:format("~ts~n", [io_lib:format(Format, Args)]).

reply(Term) ->
    io:format("  -> ~tp~n~n", [Term]),
    Term.

expect(Expected, Expected) -> ok;
expect(Expected, Got) -> error({unexpected_reply, {expected, Expected}, {got, Got}}).
