%% The guide's timers chapter (erldrv/src/guide/timers.md): a reminder on the port's timer,
%% cancelled or not; a long sum split into time slices, during which the reminder still
%% arrives on time and other calls get in. Drives beam-tests/drivers/guide_timers.
-module(guide_timers_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "ticker_drv").

timers_test_() ->
    {setup, fun() -> ok = erldrv:load(erldrv_test:driver_dir(), ?DRV) end,
     fun(_) -> ok end,
     {inorder, [fun reminder/0, {timeout, 120, fun sliced/0}]}}.

reminder() ->
    Port = erldrv:open(?DRV, [binary]),
    T0 = erlang:monotonic_time(millisecond),
    [] = erldrv:control(Port, 0, "remind 30"),
    ?assertEqual(<<"reminder">>, erldrv_test:recv_data(Port)),
    ?assert(erlang:monotonic_time(millisecond) - T0 >= 30),
    [] = erldrv:control(Port, 0, "remind 30"),
    [] = erldrv:control(Port, 0, "cancel"),
    receive {Port, _} = M -> error({unexpected, M}) after 100 -> ok end,
    ?assertError({badarg, _}, erldrv:control(Port, 0, "remind soon")),
    port_close(Port).

%% A reminder due during a long sum arrives before the sum's result; a control call made
%% while the sum runs is answered before it ends.
sliced() ->
    Port = erldrv:open(?DRV, [binary]),
    N = 300000000,
    [] = erldrv:control(Port, 0, "remind 20"),
    [] = erldrv:control(Port, 0, "sum " ++ integer_to_list(N)),
    ?assertError({badarg, <<"a sum is running">>}, erldrv:control(Port, 0, "sum 5")),
    ?assertEqual(<<"reminder">>, erldrv_test:recv_data(Port, 60000)),
    Expected = iolist_to_binary(["sum ", integer_to_list(N * (N - 1) div 2)]),
    ?assertEqual(Expected, erldrv_test:recv_data(Port, 60000)),
    port_close(Port).
