%% A port's timer: it fires once, can be read while it runs and cancelled; a panic in
%% timeout closes the port. Drives beam-tests/drivers/timers.
-module(timers_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "timers_drv").

timers_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [fun timers/0,
       {"a panic in timeout", fun panic_in_timeout/0}]}}.

%% Control commands are words: the verb, then its argument.
ctl(P, Words) -> port_control(P, 0, Words).

timers() ->
    P = erldrv_test:open(?DRV),
    T0 = erlang:monotonic_time(millisecond),
    [] = ctl(P, "timer 10"),
    ?assertEqual(<<"timeout">>, erldrv_test:recv_data(P)),
    %% Never early (the upper bound only catches a timer that is lost or far off).
    Elapsed = erlang:monotonic_time(millisecond) - T0,
    ?assert(Elapsed >= 10 andalso Elapsed < 2000),
    %% A cancelled timer never fires; a timer set again replaces the first.
    [] = ctl(P, "timer 30"),
    [] = ctl(P, "cancel_timer"),
    [] = ctl(P, "timer 60"),
    [] = ctl(P, "timer 20"),
    ?assertEqual(<<"timeout">>, erldrv_test:recv_data(P)),
    erldrv_test:no_message(P),
    ?assertEqual("none", ctl(P, "read_timer")),
    ctl(P, "timer 100000"),
    Left = list_to_integer(ctl(P, "read_timer")),
    ?assert(Left > 0 andalso Left =< 100000),
    ctl(P, "cancel_timer"),
    ?assertEqual("none", ctl(P, "read_timer")),
    erldrv_test:no_message(P),
    port_close(P).

%% The owner is told, the port exits with erldrv_panic, and the VM carries on.
panic_in_timeout() ->
    process_flag(trap_exit, true),
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "panic_in timeout"),
    ctl(P, "timer 1"),
    ?assertEqual(<<"deliberate panic in timeout">>, erldrv_test:recv_panic(P)),
    ?assertEqual(erldrv_panic, erldrv_test:recv_exit(P)),
    process_flag(trap_exit, false),
    %% The driver still serves new ports.
    ?assertEqual("pong", ctl(erldrv_test:open(?DRV), "ping")).
