%% Jobs of closed ports: 100 ports with 1,000 jobs each, closed while the jobs are in
%% flight, on the VM's async pool (spawn_async) and on the driver's worker pool. Afterwards
%% the VM is alive, the driver's count of live jobs is back to 0 and erlang:memory(total)
%% back to its baseline; jobs whose port closed before they started never ran. Run under
%% +A 0, +A 1 and +A 8. Drives beam-tests/drivers/pool.
-module(pool_cleanup_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "pool_drv").
-define(PORTS, 100).
-define(JOBS, "1000").

cleanup_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [{"async jobs of closed ports", {timeout, 120, fun() -> closed_ports(13, async_ran) end}},
       {"pool jobs of closed ports", {timeout, 120, fun() -> closed_ports(14, pool_ran) end}}]}}.

closed_ports(Command, Ran) ->
    Observer = erldrv_test:open(?DRV),
    %% A first round brings the allocators to their working size before the baseline.
    load_and_close(Command),
    wait_idle(Observer),
    Base = memory(),
    Ran0 = maps:get(Ran, pool_tests:stats(Observer)),
    %% Without async threads driver_async runs each job at once, in control: nothing to
    %% hold. Otherwise the jobs wait until their ports are closed: only those a thread had
    %% taken before may run, the others must never start.
    Inline = {Command, erlang:system_info(thread_pool_size)} =:= {13, 0},
    Rounds = [begin
                  Inline orelse hold(Observer),
                  N = load_and_close(Command),
                  Inline orelse release(Observer),
                  N
              end || _ <- [1, 2]],
    Total = lists:sum(Rounds),
    wait_idle(Observer),
    Ran1 = maps:get(Ran, pool_tests:stats(Observer)),
    case Inline of
        true -> ?assertEqual(Total, Ran1 - Ran0);
        %% At most one job per thread can have started in each round.
        false -> ?assert(Ran1 - Ran0 =< 2 * 16)
    end,
    Mem = memory(),
    ?assert(Mem < Base + Base div 10 + 1024 * 1024),
    %% Still serving.
    ?assertEqual({ok, <<"alive">>}, erldrv:request(Observer, 1, <<"alive">>)),
    port_close(Observer).

%% 100 ports, each given 1,000 jobs, then all closed. Returns how many jobs were queued
%% (the pool refuses what does not fit in its queue).
load_and_close(Command) ->
    Ports = [erldrv_test:open(?DRV) || _ <- lists:seq(1, ?PORTS)],
    Queued = [begin {ok, N} = erldrv:request(P, Command, ?JOBS), N end || P <- Ports],
    [port_close(P) || P <- Ports],
    lists:sum(Queued).

hold(Observer) ->
    _ = port_control(Observer, 0, "hold"),
    true.

release(Observer) ->
    _ = port_control(Observer, 0, "release"),
    true.

wait_idle(Observer) ->
    ok = erldrv_test:wait_until(
           fun() -> maps:get(live, pool_tests:stats(Observer)) =:= 0 end, 60000).

memory() ->
    [erlang:garbage_collect(P) || P <- processes()],
    erlang:memory(total).
