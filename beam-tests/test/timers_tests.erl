%% A port's timer: it fires once, can be read while it runs and cancelled; a panic in
%% timeout closes the port. Long work split into time slices continues from timeout, while
%% other processes on the same scheduler run. Drives beam-tests/drivers/timers.
-module(timers_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "timers_drv").

timers_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [fun timers/0,
       {timeout, 60, fun sliced_work_lets_others_run/0},
       {timeout, 60, fun sliced_work_from_start/0},
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

-define(SUM_N, 20000000).

%% sum:Total:Slices:TicksDuring from the driver.
recv_sum(P) ->
    receive
        {P, {data, <<"sum:", Rest/binary>>}} ->
            [T, S, D] = binary:split(Rest, <<":">>, [global]),
            {binary_to_integer(T), binary_to_integer(S), binary_to_integer(D)}
    after 30000 -> error(no_sum)
    end.

%% With one scheduler online, the port adds 20 million numbers in slices, continuing from
%% zero timers; a process on that same scheduler keeps calling the port meanwhile, and gets
%% in between the slices. The same work in one callback lets nothing in.
sliced_work_lets_others_run() ->
    Online = erlang:system_flag(schedulers_online, 1),
    try
        P = erldrv_test:open(?DRV),
        Ticker = spawn_link(fun() -> tick(P) end),
        Expected = ?SUM_N * (?SUM_N - 1) div 2,
        [] = ctl(P, "sum " ++ integer_to_list(?SUM_N)),
        {Total, Slices, TicksDuring} = recv_sum(P),
        ?assertEqual(Expected, Total),
        ?assert(Slices > 1),
        ?assert(TicksDuring > 0),
        [] = ctl(P, "sum_blocking " ++ integer_to_list(?SUM_N)),
        ?assertEqual({Expected, 1, 0}, recv_sum(P)),
        unlink(Ticker),
        exit(Ticker, kill),
        erldrv_test:no_message(P),
        port_close(P)
    after
        erlang:system_flag(schedulers_online, Online)
    end.

tick(P) ->
    port_control(P, 0, "tick"),
    tick(P).

%% Started in `start`, where the framework holds the port timer for its own zero timer: the
%% work goes on once the framework is done with it.
sliced_work_from_start() ->
    N = 2000000,
    P = erldrv_test:open(?DRV ++ " sum " ++ integer_to_list(N)),
    {Total, Slices, _} = recv_sum(P),
    ?assertEqual(N * (N - 1) div 2, Total),
    ?assert(Slices > 1),
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
