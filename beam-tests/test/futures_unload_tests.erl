%% The driver's async runtime and unloading: the runtime starts with the first future, and
%% once erldrv:unload/1 has returned (the VM has run finish) its threads have been joined,
%% whether the port was closed with futures waiting or closed by the unload itself. Each
%% runtime thread is marked by a `mark` future: its last act, after a slow clean-up, sets
%% a VM environment variable, which is set when the unload returns only if finish joined
%% the thread (see beam-tests/drivers/futures); and no erldrv-tokio-* thread is left. A
%% future that blocks its runtime thread past the unload's wait cannot be stopped: the
%% unload goes ahead after the wait, the library stays mapped, and the VM survives the
%% thread's end. Drives beam-tests/drivers/futures; in its own VM, since it unloads.
-module(futures_unload_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "futures_drv").
%% The unload wait this test sets (ERLDRV_UNLOAD_WAIT_futures_drv; erldrv's default is
%% 10 s), and how long the stubborn future blocks: well beyond it.
-define(UNLOAD_WAIT, 1000).
-define(BLOCK, 3000).

unload_test_() ->
    {inorder,
     [{"port closed with futures waiting, then unload", {timeout, 60, fun closed_then_unload/0}},
      {"unload with the port open", {timeout, 60, fun unload_closes/0}},
      {"a future that blocks its thread past the wait", {timeout, 60, fun stubborn/0}}]}.

threads() -> futures_tests:runtime_threads().

loaded() ->
    {ok, Drivers} = erl_ddll:loaded_drivers(),
    lists:member(?DRV, Drivers).

%% Opens a port with 50 callers' futures and 50 without, all waiting for ever.
busy_port() ->
    P = erldrv_test:open(?DRV),
    Ids = [erldrv:send_request(P, 0, "pending") || _ <- lists:seq(1, 50)],
    ?assertEqual({ok, 50}, erldrv:request(P, 0, "fill 50")),
    ok = erldrv_test:wait_until(fun() -> maps:get(live, futures_tests:stats(P)) =:= 100 end,
                                5000),
    ok = erldrv_test:wait_until(fun() -> threads() =:= 2 end, 5000),
    {P, Ids}.

%% Marks both runtime threads with Tag; returns their names. Batches of `mark` futures,
%% each holding its thread for a moment, until both threads have run one.
mark_threads(P, Tag) -> mark_threads(P, Tag, [], 20).

mark_threads(_, _, Names, _) when length(Names) =:= 2 -> Names;
mark_threads(_, _, Names, 0) -> error({threads_not_marked, Names});
mark_threads(P, Tag, Names, Rounds) ->
    Ids = [erldrv:send_request(P, 0, "mark " ++ Tag) || _ <- lists:seq(1, 100)],
    New = [begin {ok, Name} = erldrv:await(Id, 5000), binary_to_list(Name) end || Id <- Ids],
    mark_threads(P, Tag, lists:usort(Names ++ New), Rounds - 1).

done_var(Tag, Thread) -> "FUTURES_DRV_DONE_" ++ Tag ++ "_" ++ Thread.

%% Unloads the driver: the marked threads have done their last act when the unload
%% returns, and soon no runtime thread is listed.
unload_joins(Tag, Names) ->
    [?assertEqual(false, os:getenv(done_var(Tag, N))) || N <- Names],
    ok = erldrv:unload(?DRV),
    ?assertNot(loaded()),
    [?assertEqual({N, "yes"}, {N, os:getenv(done_var(Tag, N))}) || N <- Names],
    ok = erldrv_test:wait_until(fun() -> threads() =:= 0 end, 1000).

closed_then_unload() ->
    lists:foreach(
      fun(I) ->
              ok = erldrv_test:load(?DRV),
              %% No runtime before the first future.
              ?assertEqual(0, threads()),
              {P, Ids} = busy_port(),
              Tag = "closed" ++ integer_to_list(I),
              Names = mark_threads(P, Tag),
              port_close(P),
              [?assertEqual({error, closed}, erldrv:await(Id, 5000)) || Id <- Ids],
              unload_joins(Tag, Names)
      end, lists:seq(1, 5)).

unload_closes() ->
    process_flag(trap_exit, true),
    ok = erldrv_test:load(?DRV),
    {P, Ids} = busy_port(),
    Names = mark_threads(P, "open"),
    unload_joins("open", Names),
    ?assertEqual(driver_unloaded, erldrv_test:recv_exit(P)),
    [?assertEqual({error, closed}, erldrv:await(Id, 5000)) || Id <- Ids],
    process_flag(trap_exit, false).

%% finish gives up after the wait (tests/beam.rs checks its report on standard error); the
%% thread ends on its own later, running code of the library that stayed mapped. A new
%% load starts a new runtime, which the next unload stops as usual.
stubborn() ->
    os:putenv("ERLDRV_UNLOAD_WAIT_" ++ ?DRV, integer_to_list(?UNLOAD_WAIT)),
    ok = erldrv_test:load(?DRV),
    P = erldrv_test:open(?DRV),
    ?assertEqual({ok, true}, erldrv:request(P, 0, "block " ++ integer_to_list(?BLOCK))),
    receive {blocking, started} -> ok after 5000 -> error(not_blocking) end,
    T0 = erlang:monotonic_time(millisecond),
    port_close(P),
    ok = erldrv:unload(?DRV),
    Waited = erlang:monotonic_time(millisecond) - T0,
    ?assertNot(loaded()),
    ?assert(Waited >= ?UNLOAD_WAIT - 100),
    %% The blocked thread is still there, and goes when its future returns.
    ?assert(threads() >= 1),
    ok = erldrv_test:wait_until(fun() -> threads() =:= 0 end, ?BLOCK),
    %% Loaded again: the futures work, and the unload joins the new runtime.
    ok = erldrv_test:load(?DRV),
    Q = erldrv_test:open(?DRV),
    ?assertEqual({ok, 1}, erldrv:request(Q, 0, "sleep 1")),
    ok = erldrv_test:wait_until(fun() -> threads() =:= 2 end, 5000),
    Names = mark_threads(Q, "after"),
    port_close(Q),
    unload_joins("after", Names),
    os:unsetenv("ERLDRV_UNLOAD_WAIT_" ++ ?DRV).
