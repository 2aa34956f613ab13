%% init_ack: open_port/2 returns only when the driver acknowledges, or fails as it says.
-module(init_ack_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "init_ack_drv").

stopped() ->
    P = erldrv_test:open(?DRV ++ " now"),
    N = list_to_integer(port_control(P, 1, "")),
    port_close(P),
    N.

init_ack_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     [{"acknowledged in start", fun() ->
          P = erldrv_test:open(?DRV ++ " now"),
          ?assertEqual("pong", port_control(P, 0, "")),
          port_close(P)
      end},
      {"acknowledged later, from the timer", fun() ->
          T0 = erlang:monotonic_time(millisecond),
          P = erldrv_test:open(?DRV ++ " later"),
          ?assert(erlang:monotonic_time(millisecond) - T0 >= 40),
          ?assertEqual("pong", port_control(P, 0, "")),
          port_close(P)
      end},
      {"refused later: open_port fails and the port's state is freed", fun() ->
          Before = stopped(),
          ?assertError(badarg, erldrv_test:open(?DRV ++ " refuse")),
          erldrv_test:wait_until(fun() -> stopped() >= Before + 2 end, 5000)
      end},
      {"start errors still fail open_port", fun() ->
          ?assertError(badarg, erldrv_test:open(?DRV ++ " bogus"))
      end}]}.
