%% A pool job that ignores its Cancel keeps an unload waiting for a bounded time
%% (ERLDRV_UNLOAD_WAIT_pool_drv, here 300 ms); the library then stays mapped, and the job
%% finishes on it without harming the VM. The driver can be loaded again. Drives
%% beam-tests/drivers/pool.
-module(pool_stubborn_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "pool_drv").

stubborn_test_() ->
    {timeout, 60, fun stubborn_job/0}.

stubborn_job() ->
    os:putenv("ERLDRV_UNLOAD_WAIT_" ++ ?DRV, "300"),
    os:unsetenv("POOL_DRV_STUBBORN_DONE"),
    Dir = erldrv_test:driver_dir(),
    ok = erldrv:load(Dir, ?DRV),
    P = erldrv_test:open(?DRV),
    _Id = erldrv:send_request(P, 15, "1500"),
    ok = erldrv_test:wait_until(fun() -> maps:get(live, pool_tests:stats(P)) =:= 1 end, 5000),
    port_close(P),
    T0 = erlang:monotonic_time(millisecond),
    ok = erldrv:unload(?DRV),
    Waited = erlang:monotonic_time(millisecond) - T0,
    %% The wait was bounded, and ended before the job did.
    ?assert(Waited >= 300),
    ?assertEqual(false, os:getenv("POOL_DRV_STUBBORN_DONE")),
    ?assertNot(lists:member(?DRV, loaded())),
    %% The job runs to its end on the library kept mapped.
    ok = erldrv_test:wait_until(fun() -> os:getenv("POOL_DRV_STUBBORN_DONE") =:= "yes" end,
                                10000),
    %% Loaded again, it works.
    ok = erldrv:load(Dir, ?DRV),
    Q = erldrv_test:open(?DRV),
    ?assertEqual({ok, <<"again">>}, erldrv:request(Q, 1, <<"again">>)),
    port_close(Q),
    ok = erldrv:unload(?DRV).

loaded() ->
    {ok, Drivers} = erl_ddll:loaded_drivers(),
    Drivers.
