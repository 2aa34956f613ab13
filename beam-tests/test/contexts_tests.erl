%% Port methods in the callbacks where the VM cannot take them (stop, flush, process_exit),
%% the reasons callers get for refusals and panics, and what the owner learns. Drives
%% beam-tests/drivers/contexts; the Rust side's table of rules is in the docs of `Port`.
-module(contexts_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "contexts_drv").

contexts_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [fun stop_ignores_actions/0,
       fun flush_output_is_dropped/0,
       fun panic_in_flush_closes_the_port/0,
       fun demonitor_in_process_exit/0,
       fun start_refusal_tells_the_opener_why/0,
       fun start_panic_tells_the_opener/0,
       fun control_refusal_tells_the_caller_why/0,
       fun control_panic_tells_the_caller/0,
       fun call_panic_replies_to_the_caller/0,
       fun long_panic_message_reaches_the_owner_whole/0]}}.

open() -> erldrv_test:open(?DRV).

ctl(P, Words) -> port_control(P, 0, Words).

%% The driver's notes since the last report, and its counters.
report() ->
    P = open(),
    R = ctl(P, "report"),
    port_close(P),
    R.

%% Waits for an async job of a fresh port: with the VM's default single async thread, jobs
%% submitted before it have run by then.
async_barrier() ->
    P = open(),
    ctl(P, "async"),
    ?assertEqual(<<"job_done">>, erldrv_test:recv_data(P)),
    port_close(P).

stop_ignores_actions() ->
    process_flag(trap_exit, true),
    report(),
    P = open(),
    [] = ctl(P, "in_stop output output_term exit init_ack async timer monitor"),
    true = port_close(P),
    %% The close keeps its reason: the exit requested in stop is ignored.
    ?assertEqual(normal, erldrv_test:recv_exit(P)),
    %% A port that closes with an empty queue still delivers what stop sends.
    ?assertEqual(<<"output from stop">>, erldrv_test:recv_data(P)),
    receive {from_stop, Place} -> ?assertEqual(<<"stop">>, Place)
    after 5000 -> error(no_term_from_stop)
    end,
    async_barrier(),
    erldrv_test:no_message(P),
    R = report(),
    %% Only the barrier's job ran: the one spawned in stop was dropped; no timer fired.
    ?assertMatch({match, _}, re:run(R, "^jobs=1 timeouts=0")),
    ?assertMatch({match, _}, re:run(R, "stop output_term delivered=true")),
    ?assertMatch({match, _}, re:run(R, "stop monitor=false")),
    process_flag(trap_exit, false).

flush_output_is_dropped() ->
    report(),
    P = open(),
    [] = ctl(P, "in_flush output output_term monitor"),
    true = port_close(P),
    erldrv_test:wait_until(fun() -> erlang:port_info(P) =:= undefined end, 5000),
    erldrv_test:no_message(P),
    R = report(),
    %% While a port closes the VM takes no message from it; monitors still work.
    ?assertMatch({match, _}, re:run(R, "flush output_term delivered=false")),
    ?assertMatch({match, _}, re:run(R, "flush monitor=true")).

panic_in_flush_closes_the_port() ->
    process_flag(trap_exit, true),
    P = open(),
    [] = ctl(P, "in_flush panic"),
    true = port_close(P),
    %% The port goes at once (its queue is not drained by anyone); the reason of a close
    %% is decided when the close begins, so it stays normal. The panic is on stderr.
    ?assertEqual(normal, erldrv_test:recv_exit(P)),
    erldrv_test:wait_until(fun() -> erlang:port_info(P) =:= undefined end, 5000),
    process_flag(trap_exit, false).

demonitor_in_process_exit() ->
    report(),
    P = open(),
    Self = self(),
    Watched = fun() ->
                  [] = ctl(P, "monitor"),
                  Self ! {monitored, self()},
                  receive stop -> ok end
              end,
    A = spawn(Watched),
    receive {monitored, A} -> ok end,
    B = spawn(Watched),
    receive {monitored, B} -> ok end,
    %% A dies: process_exit demonitors A's monitor (fired: refused, no crash) and B's.
    A ! stop,
    ?assertEqual(<<"process_exit">>, erldrv_test:recv_data(P)),
    B ! stop,
    %% B's monitor was removed: no second process_exit.
    erldrv_test:no_message(P),
    ?assertEqual("pong", ctl(P, "ping")),
    R = report(),
    ?assertMatch({match, _},
                 re:run(R, "process_exit demonitor_fired=false demonitor_other=Some\\(true\\) "
                           "again=Some\\(false\\)")),
    port_close(P).

start_refusal_tells_the_opener_why() ->
    ?assertError(badarg, erldrv_test:open(?DRV ++ " refuse")),
    receive
        {Port, {erldrv_start_error, Reason}} when is_port(Port) ->
            ?assertEqual(<<"contexts_drv takes no arguments">>, Reason)
    after 0 -> error(no_start_error_message)
    end.

start_panic_tells_the_opener() ->
    ?assertError(einval, erldrv_test:open(?DRV ++ " panic")),
    receive
        {Port, {erldrv_panic, Msg}} when is_port(Port) ->
            ?assertEqual(<<"deliberate panic in start">>, Msg)
    after 0 -> error(no_panic_message)
    end.

control_refusal_tells_the_caller_why() ->
    P = open(),
    ?assertError(badarg, ctl(P, "refuse")),
    %% Sent before port_control returned.
    receive {P, {erldrv_badarg, Reason}} -> ?assertEqual(<<"refused: not today">>, Reason)
    after 0 -> error(no_reason)
    end,
    ?assertError(badarg, ctl(P, "refuse_plain")),
    erldrv_test:no_message(P),
    %% A refusal leaves the port open.
    ?assertEqual("pong", ctl(P, "ping")),
    port_close(P).

control_panic_tells_the_caller() ->
    process_flag(trap_exit, true),
    P = open(),
    Self = self(),
    {Caller, Ref} =
        spawn_monitor(fun() ->
                          Result = (catch ctl(P, "panic")),
                          Told = receive {P, {erldrv_panic, M}} -> M after 0 -> none end,
                          Self ! {self(), Result, Told}
                      end),
    receive
        {Caller, Result, Told} ->
            ?assertMatch({'EXIT', {badarg, _}}, Result),
            ?assertEqual(<<"deliberate panic in control">>, Told)
    after 5000 -> error(no_report_from_caller)
    end,
    receive {'DOWN', Ref, _, _, _} -> ok end,
    %% The owner is told too, and the port exits.
    ?assertEqual(<<"deliberate panic in control">>, erldrv_test:recv_panic(P)),
    ?assertEqual(erldrv_panic, erldrv_test:recv_exit(P)),
    process_flag(trap_exit, false).

call_panic_replies_to_the_caller() ->
    process_flag(trap_exit, true),
    P = open(),
    ?assertEqual(false, erlang:port_call(P, 0, false)),
    ?assertEqual({erldrv_panic, <<"deliberate panic in call">>}, erlang:port_call(P, 0, true)),
    ?assertEqual(<<"deliberate panic in call">>, erldrv_test:recv_panic(P)),
    ?assertEqual(erldrv_panic, erldrv_test:recv_exit(P)),
    process_flag(trap_exit, false).

long_panic_message_reaches_the_owner_whole() ->
    process_flag(trap_exit, true),
    P = open(),
    ?assertError(badarg, ctl(P, "panic_big")),
    Msg = erldrv_test:recv_panic(P),
    ?assertEqual(1 bsl 20, byte_size(Msg)),
    ?assertEqual(erldrv_panic, erldrv_test:recv_exit(P)),
    process_flag(trap_exit, false).
