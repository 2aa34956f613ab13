%% The driver queue: filled with bytes and binaries, read in place, peeked at and emptied;
%% flush runs when a port closes with data queued, and a panic there is contained (the owner
%% cannot be told by then). Drives beam-tests/drivers/queue (queue_handle_tests: threads).
-module(queue_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "queue_drv").

queue_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [fun driver_queue/0,
       fun the_view_is_the_queued_binary/0,
       fun draining_3_mib_in_64_kib_steps/0,
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

the_view_is_the_queued_binary() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual("same", ctl(P, "zero_copy")),
    ?assertEqual("0", ctl(P, "queue_len")),
    port_close(P).

%% 3 MiB queued in segments of many sizes (copies and shared binaries), then written out 64
%% KiB at a time straight from the queue's slices and dequeued: every byte arrives once, in
%% order, in steps of exactly 64 KiB but the last.
draining_3_mib_in_64_kib_steps() ->
    Total = 3 * 1024 * 1024,
    Step = 64 * 1024,
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "fill " ++ integer_to_list(Total)),
    ?assertEqual(integer_to_list(Total), ctl(P, "queue_len")),
    Chunks = drain(P, Step, Total, []),
    ?assertEqual(Total div Step, length(Chunks)),
    ?assertEqual([Step], lists:usort([byte_size(C) || C <- Chunks])),
    Expected = list_to_binary([I rem 251 || I <- lists:seq(0, Total - 1)]),
    ?assert(iolist_to_binary(Chunks) =:= Expected),
    ?assertEqual("0", ctl(P, "queue_len")),
    erldrv_test:no_message(P),
    port_close(P).

drain(P, Step, Left, Acc) ->
    NowLeft = list_to_integer(ctl(P, "drain_step " ++ integer_to_list(Step))),
    Chunk = erldrv_test:recv_data(P),
    ?assertEqual(Left - byte_size(Chunk), NowLeft),
    case NowLeft of
        0 -> lists:reverse([Chunk | Acc]);
        _ -> drain(P, Step, NowLeft, [Chunk | Acc])
    end.

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
