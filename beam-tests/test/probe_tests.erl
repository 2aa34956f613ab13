%% Every callback of a driver reached in a real BEAM, the framework's handling of replies,
%% timers, select, async jobs, monitors, the driver queue and exit reasons, and a panic in
%% each callback. Drives beam-tests/drivers/probe.
-module(probe_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "probe_drv").
-define(PING, 0).
-define(COUNT, 1).
-define(PANIC_IN, 2).
-define(TIMER, 3).
-define(READ_TIMER, 4).
-define(CANCEL_TIMER, 5).
-define(SELECT, 6).
-define(ASYNC, 7).
-define(MONITOR, 8).
-define(ENQUEUE, 9).
-define(EXIT, 10).
-define(BUSY, 11).
-define(CALLER_IS_OWNER, 12).
-define(REPLY_BYTES, 13).
-define(BINARY_MODE, 14).
-define(INLINE_CAPACITY, 15).
-define(BADARG, 16).
-define(WRITE_THEN_BADARG, 17).
-define(PANIC_AFTER_WRITE, 18).
-define(QUEUE_LEN, 19).
-define(WRITE_THEN_SWITCH, 20).
-define(OUTPUT_BINARY, 21).
-define(SEND_KEPT, 22).
-define(PEEK_AND_DEQUEUE, 23).
-define(MONITOR_THEN_DEMONITOR, 24).
-define(TIMESLICE, 25).
-define(SAME_ID, 26).
-define(SPAWN_FOR_OTHER_DRIVER, 27).

-define(CALL_ECHO, 0).
-define(CALL_INVALID_TERM, 1).
-define(CALL_BADARG, 2).
-define(CALL_BINARY_OF, 3).

%% The tests run in order. Unloading (finish) is tested in probe_finish_tests.
probe_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [fun init_ran/0,
       fun start_and_stop/0,
       fun start_errors/0,
       fun outputv_shares_data/0,
       fun outputv_binaries_can_be_kept/0,
       fun outputv_skips_bytes/0,
       fun spawn_async_for_another_driver_closes_the_port/0,
       fun output_binary_sends_part_of_a_binary/0,
       fun driver_queue/0,
       fun demonitor/0,
       fun timeslice_and_port_id/0,
       fun control_replies_of_every_size/0,
       fun control_mode_switch_after_a_large_reply/0,
       fun control_errors_leave_the_port_usable/0,
       fun call_replies/0,
       fun timers/0,
       fun select_reaches_ready_input_output_and_stop_select/0,
       fun async_jobs_run_in_order/0,
       fun monitor_reaches_process_exit/0,
       fun flush_runs_when_closing_with_a_queue/0,
       fun exit_reasons/0,
       fun busy_port/0,
       fun caller_and_owner/0,
       {"a panic in each port callback", fun panics_in_port_callbacks/0},
       fun panic_in_stop_is_contained/0,
       fun panic_in_stop_select_is_contained/0]}}.

count(Callback) ->
    C = erldrv_test:open(?DRV),
    N = list_to_integer(port_control(C, ?COUNT, Callback)),
    port_close(C),
    N.

init_ran() ->
    ?assert(count("init") >= 1).

start_and_stop() ->
    Starts = count("start"),
    Stops = count("stop"),
    P = erldrv_test:open(?DRV),
    ?assertEqual("pong", port_control(P, ?PING, "")),
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

outputv_shares_data() ->
    P = erldrv_test:open(?DRV),
    Big = binary:copy(<<"0123456789">>, 10000),
    true = port_command(P, [<<"ab">>, "c", Big]),
    ?assertEqual(<<"outputv:abc", Big/binary>>, erldrv_test:recv_data(P)),
    port_close(P).

outputv_binaries_can_be_kept() ->
    P = erldrv_test:open(?DRV),
    Big = binary:copy(<<"k">>, 5000),
    %% A sub-binary: the kept segment starts at an offset inside its binary.
    <<_:10/binary, Part/binary>> = Big,
    true = port_command(P, [<<"keep:">>, Part]),
    erldrv_test:no_message(P),
    [] = port_control(P, ?SEND_KEPT, ""),
    ?assertEqual(<<"kept:", Part/binary>>, erldrv_test:recv_data(P)),
    port_close(P).

outputv_skips_bytes() ->
    P = erldrv_test:open(?DRV),
    true = port_command(P, [<<"skip:">>, <<"rest">>]),
    ?assertEqual(<<"s:rest">>, erldrv_test:recv_data(P)),
    true = port_command(P, [<<"skipall:">>, <<"rest">>]),
    ?assertEqual(<<"s:">>, erldrv_test:recv_data(P)),
    port_close(P).

spawn_async_for_another_driver_closes_the_port() ->
    process_flag(trap_exit, true),
    P = erldrv_test:open(?DRV),
    [] = port_control(P, ?SPAWN_FOR_OTHER_DRIVER, ""),
    Msg = erldrv_test:recv_panic(P),
    ?assertMatch({_, _}, binary:match(Msg, <<"another driver type">>)),
    ?assertEqual(erldrv_panic, erldrv_test:recv_exit(P)),
    process_flag(trap_exit, false).

output_binary_sends_part_of_a_binary() ->
    P = erldrv_test:open(?DRV),
    [] = port_control(P, ?OUTPUT_BINARY, "xpayload"),
    ?assertEqual(<<"bin:payload">>, erldrv_test:recv_data(P)),
    [] = port_control(P, ?OUTPUT_BINARY, ""),
    ?assertEqual(<<"bin:">>, erldrv_test:recv_data(P)),
    port_close(P).

driver_queue() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual("abcbin|4|cbin", port_control(P, ?PEEK_AND_DEQUEUE, "abc")),
    ?assertEqual("0", port_control(P, ?QUEUE_LEN, "")),
    port_close(P).

demonitor() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual("true true false", port_control(P, ?MONITOR_THEN_DEMONITOR, "")),
    port_close(P).

timeslice_and_port_id() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual("over", port_control(P, ?TIMESLICE, "")),
    ?assertEqual("true", port_control(P, ?SAME_ID, "")),
    port_close(P).

pattern(N) -> << <<(I rem 251)>> || I <- lists:seq(0, N - 1) >>.

control_replies_of_every_size() ->
    P = erldrv_test:open(?DRV),
    Inline = list_to_integer(port_control(P, ?INLINE_CAPACITY, "")),
    ?assert(Inline > 0),
    Sizes = [0, 1, Inline - 1, Inline, Inline + 1, 4096, 100000],
    [?assertEqual(binary_to_list(pattern(N)), port_control(P, ?REPLY_BYTES, integer_to_list(N)))
     || N <- Sizes],
    port_control(P, ?BINARY_MODE, "on"),
    [?assertEqual(pattern(N), port_control(P, ?REPLY_BYTES, integer_to_list(N))) || N <- Sizes],
    port_close(P).

control_mode_switch_after_a_large_reply() ->
    P = erldrv_test:open(?DRV),
    M = binary:copy(<<"m">>, 1000),
    ?assertEqual(M, port_control(P, ?WRITE_THEN_SWITCH, "on")),
    ?assertEqual(binary_to_list(M), port_control(P, ?WRITE_THEN_SWITCH, "off")),
    port_close(P).

control_errors_leave_the_port_usable() ->
    P = erldrv_test:open(?DRV),
    ?assertError(badarg, port_control(P, ?BADARG, "")),
    ?assertError(badarg, port_control(P, ?WRITE_THEN_BADARG, "")),
    ?assertError(badarg, port_control(P, 9999, "")),
    port_control(P, ?BINARY_MODE, "on"),
    ?assertError(badarg, port_control(P, ?WRITE_THEN_BADARG, "")),
    ?assertEqual(<<"pong">>, port_control(P, ?PING, "")),
    port_close(P).

call_replies() ->
    P = erldrv_test:open(?DRV),
    [?assertEqual(T, erlang:port_call(P, ?CALL_ECHO, T))
     || T <- [a, 1, [x | y], {<<"b">>, 2.5}, #{1 => 2}, lists:seq(1, 10000)]],
    %% A reply that is not a valid term is refused by the VM, not trusted.
    ?assertError(badarg, erlang:port_call(P, ?CALL_INVALID_TERM, x)),
    ?assertEqual({erldrv_badarg, <<"deliberate">>}, erlang:port_call(P, ?CALL_BADARG, x)),
    ?assertMatch({erldrv_badarg, <<"expected an integer, found an atom">>},
                 erlang:port_call(P, ?CALL_BINARY_OF, x)),
    ?assertEqual(binary:copy(<<"z">>, 100000), erlang:port_call(P, ?CALL_BINARY_OF, 100)),
    ?assertEqual(<<"pong">>, iolist_to_binary(port_control(P, ?PING, ""))),
    port_close(P).

timers() ->
    P = erldrv_test:open(?DRV),
    [] = port_control(P, ?TIMER, "10"),
    ?assertEqual(<<"timeout">>, erldrv_test:recv_data(P)),
    ?assertEqual("none", port_control(P, ?READ_TIMER, "")),
    port_control(P, ?TIMER, "100000"),
    Left = list_to_integer(port_control(P, ?READ_TIMER, "")),
    ?assert(Left > 0 andalso Left =< 100000),
    port_control(P, ?CANCEL_TIMER, ""),
    ?assertEqual("none", port_control(P, ?READ_TIMER, "")),
    erldrv_test:no_message(P),
    port_close(P).

select_reaches_ready_input_output_and_stop_select() ->
    Closed = count("stop_select"),
    P = erldrv_test:open(?DRV),
    [] = port_control(P, ?SELECT, ""),
    Got = lists:sort([erldrv_test:recv_data(P), erldrv_test:recv_data(P)]),
    ?assertEqual([<<"ready_input">>, <<"ready_output">>], Got),
    %% Deselecting with USE makes the VM call stop_select for each descriptor.
    erldrv_test:wait_until(fun() -> count("stop_select") >= Closed + 2 end, 5000),
    port_close(P).

async_jobs_run_in_order() ->
    P = erldrv_test:open(?DRV),
    [] = port_control(P, ?ASYNC, "abc"),
    ?assertEqual(<<"ready_async:cba">>, erldrv_test:recv_data(P)),
    Jobs = [integer_to_list(I) || I <- lists:seq(10, 60)],
    [port_control(P, ?ASYNC, J) || J <- Jobs],
    Results = [erldrv_test:recv_data(P) || _ <- Jobs],
    ?assertEqual([iolist_to_binary(["ready_async:", lists:reverse(J)]) || J <- Jobs], Results),
    port_close(P).

monitor_reaches_process_exit() ->
    P = erldrv_test:open(?DRV),
    Self = self(),
    {Pid, Ref} = spawn_monitor(fun() -> [] = port_control(P, ?MONITOR, ""), Self ! monitored end),
    receive monitored -> ok after 5000 -> error(not_monitored) end,
    receive {'DOWN', Ref, process, Pid, _} -> ok end,
    ?assertEqual(<<"process_exit">>, erldrv_test:recv_data(P)),
    port_close(P).

flush_runs_when_closing_with_a_queue() ->
    Flushes = count("flush"),
    P = erldrv_test:open(?DRV),
    [] = port_control(P, ?ENQUEUE, "queued"),
    ?assertEqual("6", port_control(P, ?QUEUE_LEN, "")),
    true = port_close(P),
    erldrv_test:wait_until(fun() -> count("flush") >= Flushes + 1 end, 5000),
    erldrv_test:wait_until(fun() -> erlang:port_info(P) =:= undefined end, 5000).

exit_reasons() ->
    process_flag(trap_exit, true),
    Expect = [{"posix", enoent}, {"atom", probe_exit}, {"code", 42}, {"eof", normal}],
    [begin
         P = erldrv_test:open(?DRV),
         [] = port_control(P, ?EXIT, How),
         ?assertEqual(Reason, erldrv_test:recv_exit(P))
     end || {How, Reason} <- Expect],
    %% `Normal` closes the port like port_close/1: no exit signal.
    P = erldrv_test:open(?DRV),
    [] = port_control(P, ?EXIT, "normal"),
    ?assertEqual(undefined, erlang:port_info(P)),
    receive {'EXIT', P, R} -> error({unexpected_exit, R}) after 200 -> ok end,
    process_flag(trap_exit, false).

busy_port() ->
    P = erldrv_test:open(?DRV),
    [] = port_control(P, ?BUSY, "on"),
    %% probe_drv has no soft_busy: [force] is not supported, [nosuspend] is refused.
    ?assertError(notsup, port_command(P, <<"x">>, [force])),
    ?assertEqual(false, port_command(P, <<"x">>, [nosuspend])),
    [] = port_control(P, ?BUSY, "off"),
    ?assertEqual(true, port_command(P, <<"x">>, [nosuspend])),
    ?assertEqual(<<"outputv:x">>, erldrv_test:recv_data(P)),
    port_close(P).

caller_and_owner() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual("true", port_control(P, ?CALLER_IS_OWNER, "")),
    Self = self(),
    spawn_link(fun() -> Self ! {other, port_control(P, ?CALLER_IS_OWNER, "")} end),
    receive {other, R} -> ?assertEqual("false", R) after 5000 -> error(no_reply) end,
    port_close(P).

%% For each port callback: make it panic, check the owner is told and the port exits
%% with erldrv_panic, and that the VM carries on.
panics_in_port_callbacks() ->
    process_flag(trap_exit, true),
    Cases =
        [{"outputv", fun(P) -> port_command(P, <<"x">>) end},
         {"control", fun(P) -> ?assertError(badarg, port_control(P, ?PING, "")) end},
         {"call", fun(P) ->
              ?assertEqual({erldrv_panic, <<"deliberate panic in call">>},
                           erlang:port_call(P, ?CALL_ECHO, x))
          end},
         {"ready_async", fun(P) -> port_control(P, ?ASYNC, "x") end},
         {"ready_input", fun(P) -> port_control(P, ?SELECT, "") end},
         {"ready_output", fun(P) -> port_control(P, ?SELECT, "") end},
         {"timeout", fun(P) -> port_control(P, ?TIMER, "1") end},
         {"process_exit", fun(P) ->
              {_, Ref} = spawn_monitor(fun() -> port_control(P, ?MONITOR, "") end),
              receive {'DOWN', Ref, _, _, _} -> ok end
          end}],
    [begin
         P = erldrv_test:open(?DRV),
         [] = port_control(P, ?PANIC_IN, Callback),
         Trigger(P),
         ?assertEqual(iolist_to_binary(["deliberate panic in ", Callback]), erldrv_test:recv_panic(P)),
         ?assertEqual(erldrv_panic, erldrv_test:recv_exit(P))
     end || {Callback, Trigger} <- Cases],
    %% A panicking async job closes its port the same way.
    P = erldrv_test:open(?DRV),
    port_control(P, ?ASYNC, "panic"),
    ?assertEqual(<<"deliberate panic in an async job">>, erldrv_test:recv_panic(P)),
    ?assertEqual(erldrv_panic, erldrv_test:recv_exit(P)),
    %% A panic after a large reply was written frees the reply and raises badarg.
    Q = erldrv_test:open(?DRV),
    ?assertError(badarg, port_control(Q, ?PANIC_AFTER_WRITE, "")),
    ?assertEqual(<<"deliberate panic in control after a large reply">>, erldrv_test:recv_panic(Q)),
    ?assertEqual(erldrv_panic, erldrv_test:recv_exit(Q)),
    %% A panic in flush (the port is already closing).
    Flushes = count("flush"),
    F = erldrv_test:open(?DRV),
    [] = port_control(F, ?PANIC_IN, "flush"),
    [] = port_control(F, ?ENQUEUE, "queued"),
    true = port_close(F),
    erldrv_test:wait_until(fun() -> count("flush") >= Flushes + 1 end, 5000),
    erldrv_test:wait_until(fun() -> erlang:port_info(F) =:= undefined end, 5000),
    erldrv_test:flush(),
    process_flag(trap_exit, false),
    %% The driver still serves new ports.
    ?assertEqual("pong", port_control(erldrv_test:open(?DRV), ?PING, "")).

panic_in_stop_is_contained() ->
    Stops = count("stop"),
    P = erldrv_test:open(?DRV),
    [] = port_control(P, ?PANIC_IN, "stop"),
    true = port_close(P),
    %% The close's reason is decided, but the owner still learns of the panic.
    ?assertEqual(<<"deliberate panic in stop">>, erldrv_test:recv_panic(P)),
    erldrv_test:wait_until(fun() -> count("stop") >= Stops + 2 end, 5000),
    ?assertEqual("pong", port_control(erldrv_test:open(?DRV), ?PING, "")).

panic_in_stop_select_is_contained() ->
    Closed = count("stop_select"),
    P = erldrv_test:open(?DRV),
    [] = port_control(P, ?PANIC_IN, "stop_select"),
    [] = port_control(P, ?SELECT, ""),
    erldrv_test:wait_until(fun() -> count("stop_select") >= Closed + 2 end, 5000),
    ?assertEqual("pong", port_control(P, ?PING, "")),
    port_close(P).
