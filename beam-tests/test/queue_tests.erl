%% The driver queue: filled with bytes and binaries, peeked at and emptied; flush runs when
%% a port closes with data queued, and a panic there is contained (the owner cannot be told
%% by then). Drives beam-tests/drivers/queue.
-module(queue_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "queue_drv").

queue_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [fun driver_queue/0,
       fun flush_runs_when_closing_with_a_queue/0,
       {"a panic in flush", fun panic_in_flush/0}]}}.

%% Control commands are words: the verb, then its argument.
ctl(P, Words) -> port_control(P, 0, Words).

count(Callback) ->
    C = erldrv_test:open(?DRV),
    N = list_to_integer(ctl(C, "count " ++ Callback)),
    port_close(C),
    N.

driver_queue() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual("abcbin|4|cbin", ctl(P, "peek_and_dequeue abc")),
    ?assertEqual("0", ctl(P, "queue_len")),
    port_close(P).

flush_runs_when_closing_with_a_queue() ->
    Flushes = count("flush"),
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "enqueue queued"),
    ?assertEqual("6", ctl(P, "queue_len")),
    true = port_close(P),
    erldrv_test:wait_until(fun() -> count("flush") >= Flushes + 1 end, 5000),
    erldrv_test:wait_until(fun() -> erlang:port_info(P) =:= undefined end, 5000).

%% The port is already closing: it closes at once, and the VM carries on.
panic_in_flush() ->
    process_flag(trap_exit, true),
    Flushes = count("flush"),
    F = erldrv_test:open(?DRV),
    [] = ctl(F, "panic_in flush"),
    [] = ctl(F, "enqueue queued"),
    true = port_close(F),
    erldrv_test:wait_until(fun() -> count("flush") >= Flushes + 1 end, 5000),
    erldrv_test:wait_until(fun() -> erlang:port_info(F) =:= undefined end, 5000),
    erldrv_test:flush(),
    process_flag(trap_exit, false),
    %% The driver still serves new ports.
    ?assertEqual("pong", ctl(erldrv_test:open(?DRV), "ping")).
