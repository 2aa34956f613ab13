%% Select: a pipe's read end reaches ready_input and its write end ready_output; deselecting
%% makes the VM call stop_select for each. A descriptor the VM cannot poll is refused with
%% the OS error. A panic in ready_input or ready_output closes the port; one in stop_select
%% is contained (and reported on stderr: beam.rs checks that).
%% Drives beam-tests/drivers/select.
-module(select_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "select_drv").

%% The tests run in order: after panic_in_stop_select_is_contained, every stop_select of
%% the driver panics.
select_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [fun select_reaches_ready_input_output_and_stop_select/0,
       fun a_descriptor_the_vm_cannot_poll_is_refused/0,
       {"a panic in ready_input and in ready_output", fun panics_in_ready_input_and_output/0},
       fun panic_in_stop_select_is_contained/0]}}.

%% Control commands are words: the verb, then its argument.
ctl(P, Words) -> port_control(P, 0, Words).

count(Callback) ->
    C = erldrv_test:open(?DRV),
    N = list_to_integer(ctl(C, "count " ++ Callback)),
    port_close(C),
    N.

select_reaches_ready_input_output_and_stop_select() ->
    Closed = count("stop_select"),
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "select"),
    Got = lists:sort([erldrv_test:recv_data(P), erldrv_test:recv_data(P)]),
    ?assertEqual([<<"ready_input">>, <<"ready_output">>], Got),
    %% Deselecting with USE makes the VM call stop_select for each descriptor.
    erldrv_test:wait_until(fun() -> count("stop_select") >= Closed + 2 end, 5000),
    port_close(P).

%% An O_PATH descriptor is open, but poll(2) cannot watch it. The VM would take it (and
%% return 0), then log "Bad input fd in erts_poll()!" and never call the driver; select and
%% select_owned refuse it with EBADF instead, and the port carries on (beam.rs checks that the
%% VM logged nothing).
a_descriptor_the_vm_cannot_poll_is_refused() ->
    Closed = count("stop_select"),
    P = erldrv_test:open(?DRV),
    Ebadf = "Some(9): Bad file descriptor (os error 9)",
    ?assertEqual(Ebadf, ctl(P, "bad_fd")),
    ?assertEqual(Ebadf, ctl(P, "bad_fd_owned")),
    ?assertEqual("pong", ctl(P, "ping")),
    erldrv_test:no_message(P),
    port_close(P),
    ?assertEqual(Closed, count("stop_select")).

%% For each: the owner is told, the port exits with erldrv_panic, and the VM carries on.
panics_in_ready_input_and_output() ->
    process_flag(trap_exit, true),
    [begin
         P = erldrv_test:open(?DRV),
         [] = ctl(P, "panic_in " ++ Callback),
         ctl(P, "select"),
         ?assertEqual(iolist_to_binary(["deliberate panic in ", Callback]), erldrv_test:recv_panic(P)),
         ?assertEqual(erldrv_panic, erldrv_test:recv_exit(P))
     end || Callback <- ["ready_input", "ready_output"]],
    process_flag(trap_exit, false),
    %% The driver still serves new ports.
    ?assertEqual("pong", ctl(erldrv_test:open(?DRV), "ping")).

panic_in_stop_select_is_contained() ->
    Closed = count("stop_select"),
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "panic_in stop_select"),
    [] = ctl(P, "select"),
    erldrv_test:wait_until(fun() -> count("stop_select") >= Closed + 2 end, 5000),
    ?assertEqual("pong", ctl(P, "ping")),
    port_close(P).
