%% How a port and the driver live: init runs, start opens a port or refuses with a reason
%% (or panics), stop runs when it closes (and a panic there is contained), each kind of
%% exit reason reaches the owner, and a port knows who calls it. Drives
%% beam-tests/drivers/lifecycle; start's actions are in lifecycle_start_tests, finish in
%% lifecycle_finish_tests.
-module(lifecycle_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "lifecycle_drv").

%% The tests run in order.
lifecycle_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [fun init_ran/0,
       fun start_and_stop/0,
       fun start_errors/0,
       fun timeslice_and_port_id/0,
       fun exit_reasons/0,
       fun caller_and_owner/0,
       fun panic_in_stop_is_contained/0]}}.

%% Control commands are words: the verb, then its argument.
ctl(P, Words) -> port_control(P, 0, Words).

count(Callback) ->
    C = erldrv_test:open(?DRV),
    N = list_to_integer(ctl(C, "count " ++ Callback)),
    port_close(C),
    N.

init_ran() ->
    ?assert(count("init") >= 1).

start_and_stop() ->
    Starts = count("start"),
    Stops = count("stop"),
    P = erldrv_test:open(?DRV),
    ?assertEqual("pong", ctl(P, "ping")),
    true = port_close(P),
    %% Each count() opens and closes a port of its own: the one counting stops, P, and the
    %% one counting starts again.
    ?assertEqual(Starts + 3, count("start")),
    erldrv_test:wait_until(fun() -> count("stop") >= Stops + 2 end, 5000).

start_errors() ->
    ?assertError(enoent, erldrv_test:open(?DRV ++ " enoent")),
    ?assertError(badarg, erldrv_test:open(?DRV ++ " badarg")),
    ?assertError(einval, erldrv_test:open(?DRV ++ " general")),
    %% A panic in start fails open_port/2 and still tells the opener why.
    ?assertError(einval, erldrv_test:open(?DRV ++ " panic")),
    receive {_, {erldrv_panic, Msg}} -> ?assertEqual(<<"deliberate panic in start">>, Msg)
    after 5000 -> error(no_panic_message_from_start)
    end.

timeslice_and_port_id() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual("over", ctl(P, "timeslice")),
    ?assertEqual("true", ctl(P, "same_id")),
    port_close(P).

exit_reasons() ->
    process_flag(trap_exit, true),
    Expect = [{"posix", enoent}, {"atom", lifecycle_exit}, {"code", 42}, {"eof", normal}],
    [begin
         P = erldrv_test:open(?DRV),
         [] = ctl(P, "exit " ++ How),
         ?assertEqual(Reason, erldrv_test:recv_exit(P))
     end || {How, Reason} <- Expect],
    %% `Normal` closes the port like port_close/1: no exit signal.
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "exit normal"),
    ?assertEqual(undefined, erlang:port_info(P)),
    receive {'EXIT', P, R} -> error({unexpected_exit, R}) after 200 -> ok end,
    process_flag(trap_exit, false).

caller_and_owner() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual("true", ctl(P, "caller_is_owner")),
    Self = self(),
    spawn_link(fun() -> Self ! {other, ctl(P, "caller_is_owner")} end),
    receive {other, R} -> ?assertEqual("false", R) after 5000 -> error(no_reply) end,
    port_close(P).

panic_in_stop_is_contained() ->
    Stops = count("stop"),
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "panic_in stop"),
    true = port_close(P),
    %% The close's reason is decided, but the owner still learns of the panic.
    ?assertEqual(<<"deliberate panic in stop">>, erldrv_test:recv_panic(P)),
    erldrv_test:wait_until(fun() -> count("stop") >= Stops + 2 end, 5000),
    ?assertEqual("pong", ctl(erldrv_test:open(?DRV), "ping")).
