%% Port actions requested inside start take effect once start has returned: the VM has no
%% port data during start (a nested ready_async would get NULL) and takes no init ack.
%% Run with the default async pool and with +A 0, where driver_async runs the job and
%% ready_async at once. Drives beam-tests/drivers/lifecycle.
-module(lifecycle_start_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "lifecycle_drv").

start_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> erl_ddll:unload_driver(?DRV) end,
     [{"an async job spawned in start", fun() ->
          P = erldrv_test:open(?DRV ++ " async"),
          ?assertEqual(<<"ready_async:started">>, erldrv_test:recv_data(P)),
          port_close(P)
      end},
      {"a timer set in start", fun() ->
          P = erldrv_test:open(?DRV ++ " timer"),
          ?assertEqual(<<"timeout">>, erldrv_test:recv_data(P)),
          port_close(P)
      end},
      {"an async job and a timer from start", fun() ->
          P = erldrv_test:open(?DRV ++ " async_timer"),
          Got = lists:sort([erldrv_test:recv_data(P), erldrv_test:recv_data(P)]),
          ?assertEqual([<<"ready_async:started">>, <<"timeout">>], Got),
          port_close(P)
      end},
      {"exit from start closes the port right after it opens", fun() ->
          process_flag(trap_exit, true),
          P = erldrv_test:open(?DRV ++ " exit"),
          ?assertEqual(lifecycle_exit, erldrv_test:recv_exit(P)),
          process_flag(trap_exit, false)
      end}]}.
