%% Unloading probe_drv runs finish, and a panic in finish is contained: the VM carries on
%% and can load the driver again. In its own VM, since it unloads the driver.
-module(probe_finish_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "probe_drv").
-define(PING, 0).
-define(PANIC_IN, 2).

unload_runs_finish_and_contains_its_panic_test() ->
    ok = erldrv_test:load(?DRV),
    P = erldrv_test:open(?DRV),
    [] = port_control(P, ?PANIC_IN, "finish"),
    true = port_close(P),
    ok = erl_ddll:unload_driver(?DRV),
    erldrv_test:wait_until(fun() -> os:getenv("PROBE_FINISH_CALLED") =:= "yes" end, 5000),
    erldrv_test:wait_until(fun() ->
        {ok, Loaded} = erl_ddll:loaded_drivers(),
        not lists:member(?DRV, Loaded)
    end, 5000),
    ok = erldrv_test:load(?DRV),
    Q = erldrv_test:open(?DRV),
    ?assertEqual("pong", port_control(Q, ?PING, "")),
    port_close(Q).
