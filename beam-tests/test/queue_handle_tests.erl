%% The driver queue from other threads, through a QueueHandle: a producer thread and a
%% consumer thread work on the queue while the port uses it; a handle kept after its port
%% has closed finds it closed, harms nothing and does not hold the driver loaded; misuse that
%% would hang the VM panics instead. Drives beam-tests/drivers/queue.
-module(queue_handle_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "queue_drv").

%% In order, in one process: the last test unloads the driver.
queue_handle_test_() ->
    {inorder,
     [fun() -> ok = erldrv_test:load(?DRV) end,
      fun a_thread_produces_while_the_port_reads/0,
      fun a_thread_consumes_while_the_port_writes/0,
      fun a_handle_made_in_start_works/0,
      fun a_handle_made_in_stop_is_closed/0,
      {"misuse panics instead of hanging", fun misuse_panics/0},
      fun a_handle_kept_after_close_is_harmless/0]}.

%% Control commands are words: the verb, then its argument.
ctl(P, Words) -> port_control(P, 0, Words).

records(Tag, N) ->
    iolist_to_binary([io_lib:format("~s~7..0B", [Tag, I]) || I <- lists:seq(0, N - 1)]).

%% The producer queues 20000 records of 8 bytes, a few per lock; meanwhile the port reads
%% whole records off the front and sends them. Every record arrives once, in order.
a_thread_produces_while_the_port_reads() ->
    N = 20000,
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "produce " ++ integer_to_list(N)),
    Got = read_records(P, N * 8, [], 0),
    ?assert(Got =:= records("T", N)),
    receive {produced, Produced} -> ?assertEqual(N, Produced)
    after 5000 -> error(producer_did_not_finish)
    end,
    ?assertEqual("0", ctl(P, "queue_len")),
    port_close(P).

read_records(_P, Want, Acc, Want) -> iolist_to_binary(lists:reverse(Acc));
read_records(P, Want, Acc, Have) ->
    case list_to_integer(ctl(P, "drain_records")) of
        0 ->
            %% Nothing queued yet: wait for the producer's next records (it tells nobody, so
            %% ask again; each call is the port in use while the thread works).
            erlang:yield(),
            read_records(P, Want, Acc, Have);
        Bytes ->
            Chunk = erldrv_test:recv_data(P),
            ?assertEqual(Bytes, byte_size(Chunk)),
            read_records(P, Want, [Chunk | Acc], Have + Bytes)
    end.

%% The port queues records in batches; the consumer thread dequeues whole records and sends
%% them back. All of them come back once, in order.
a_thread_consumes_while_the_port_writes() ->
    N = 5000,
    Batch = 50,
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "consume " ++ integer_to_list(N)),
    All = records("S", N),
    [[] = ctl(P, ["put " | binary_to_list(binary:part(All, I * Batch * 8, Batch * 8))])
     || I <- lists:seq(0, N div Batch - 1)],
    Got = consumed(byte_size(All), []),
    ?assert(Got =:= All),
    ?assertEqual("0", ctl(P, "queue_len")),
    port_close(P).

consumed(0, Acc) -> iolist_to_binary(lists:reverse(Acc));
consumed(Left, Acc) ->
    receive {consumed, Bin} -> consumed(Left - byte_size(Bin), [Bin | Acc])
    after 5000 -> error({consumer_stalled, Left})
    end.

a_handle_made_in_start_works() ->
    P = erldrv_test:open(?DRV ++ " handle"),
    ?assertEqual("10", ctl(P, "queue_len")),
    ?assertEqual("0", ctl(P, "drain_step 100")),
    ?assertEqual(<<"from start">>, erldrv_test:recv_data(P)),
    port_close(P).

a_handle_made_in_stop_is_closed() ->
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "handle_in_stop"),
    port_close(P),
    Q = erldrv_test:open(?DRV),
    ?assertEqual("closed", ctl(Q, "in_stop")),
    port_close(Q).

misuse_panics() ->
    process_flag(trap_exit, true),
    [begin
         P = erldrv_test:open(?DRV),
         catch ctl(P, Misuse),
         Msg = erldrv_test:recv_panic(P),
         ?assert(binary:match(Msg, Expect) =/= nomatch),
         ?assertEqual(erldrv_panic, erldrv_test:recv_exit(P))
     end
     || {Misuse, Expect} <- [{"guard_then_monitor", <<"drop the guard first">>},
                             {"guard_twice", <<"already borrowed">>},
                             {"guard_then_lock", <<"already locked on this thread">>}]],
    erldrv_test:flush(),
    process_flag(trap_exit, false),
    Q = erldrv_test:open(?DRV),
    ?assertEqual("pong", ctl(Q, "ping")),
    port_close(Q).

%% The handle outlives its port (it stays in a static of the driver, never dropped): its lock
%% answers `closed` here and on another thread, and unloading the driver still completes (a
%% handle holding the VM's port data lock would keep the driver loaded).
a_handle_kept_after_close_is_harmless() ->
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "keep_handle"),
    ?assertEqual("4", ctl(P, "queue_len")),
    ?assertEqual("4,4", ctl(P, "use_kept")),
    true = port_close(P),
    erldrv_test:wait_until(fun() -> erlang:port_info(P) =:= undefined end, 5000),
    Q = erldrv_test:open(?DRV),
    ?assertEqual("closed,closed", ctl(Q, "use_kept")),
    port_close(Q),
    ok = erl_ddll:unload_driver(?DRV),
    erldrv_test:wait_until(fun() ->
        {ok, Loaded} = erl_ddll:loaded_drivers(),
        not lists:member(?DRV, Loaded)
    end, 5000).
