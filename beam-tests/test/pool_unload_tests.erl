%% The driver never becomes permanent through async work: 100 cycles of unload and load
%% (and of reload) with pool jobs and async jobs still running when their port closed.
%% Drives beam-tests/drivers/pool.
-module(pool_unload_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "pool_drv").

unload_test_() ->
    {timeout, 300, fun cycles/0}.

cycles() ->
    Dir = erldrv_test:driver_dir(),
    ok = erldrv:load(Dir, ?DRV),
    lists:foreach(
      fun(I) ->
              P = erldrv_test:open(?DRV),
              %% Pool jobs that run for 2 s unless cancelled, and async jobs.
              Ids = [erldrv:send_request(P, 2, "2000") || _ <- lists:seq(1, 4)],
              {ok, 200} = erldrv:request(P, 13, "200"),
              ok = erldrv_test:wait_until(
                     fun() -> maps:get(cancels, pool_tests:stats(P)) >= 0 end, 1000),
              port_close(P),
              [{error, closed} = erldrv:await(Id, 5000) || Id <- Ids],
              case I rem 2 of
                  0 ->
                      ok = erldrv:unload(?DRV),
                      ?assertNot(lists:member(?DRV, loaded())),
                      ok = erldrv:load(Dir, ?DRV);
                  1 ->
                      ok = erldrv:reload(Dir, ?DRV)
              end,
              ?assert(lists:member(?DRV, loaded()))
      end, lists:seq(1, 100)),
    ok = erldrv:unload(?DRV),
    ?assertNot(lists:member(?DRV, loaded())).

loaded() ->
    {ok, Drivers} = erl_ddll:loaded_drivers(),
    Drivers.
