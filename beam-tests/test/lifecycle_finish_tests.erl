%% Unloading lifecycle_drv runs finish, and a panic in finish is contained: the VM carries
%% on and can load the driver again. In its own VM, since it unloads the driver.
-module(lifecycle_finish_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "lifecycle_drv").

unload_runs_finish_and_contains_its_panic_test() ->
    ok = erldrv_test:load(?DRV),
    P = erldrv_test:open(?DRV),
    [] = port_control(P, 0, "panic_in finish"),
    true = port_close(P),
    ok = erl_ddll:unload_driver(?DRV),
    erldrv_test:wait_until(fun() -> os:getenv("LIFECYCLE_FINISH_CALLED") =:= "yes" end, 5000),
    erldrv_test:wait_until(fun() ->
        {ok, Loaded} = erl_ddll:loaded_drivers(),
        not lists:member(?DRV, Loaded)
    end, 5000),
    ok = erldrv_test:load(?DRV),
    Q = erldrv_test:open(?DRV),
    ?assertEqual("pong", port_control(Q, 0, "ping")),
    port_close(Q).
