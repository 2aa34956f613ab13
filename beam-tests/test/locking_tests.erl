%% Port-level locking shown, not assumed: two callers on two schedulers run inside
%% locked_drv at the same time, never inside plain_drv. Also soft_busy and its absence.
-module(locking_tests).
-include_lib("eunit/include/eunit.hrl").

-define(OVERLAP, 0).
-define(BUSY, 1).

setup() ->
    ok = erldrv_test:load("locked_drv"),
    ok = erldrv_test:load("plain_drv").

locking_test_() ->
    {setup, fun setup/0, fun(_) -> ok end,
     [{"port_locking lets two ports run at once", {timeout, 30, fun() ->
          ?assertEqual(["overlap", "overlap"], two_callers("locked_drv"))
      end}},
      %% Each call waits out the full 3 s for company that cannot come.
      {"driver-level locking runs one port at a time", {timeout, 30, fun() ->
          ?assertEqual(["alone", "alone"], two_callers("plain_drv"))
      end}},
      {"soft_busy makes [force] work on a busy port", fun() ->
          P = erldrv_test:open("locked_drv"),
          [] = port_control(P, ?BUSY, "on"),
          ?assert(port_command(P, <<"forced">>, [force])),
          ?assertEqual(<<"forced">>, erldrv_test:recv_data(P)),
          port_close(P)
      end},
      {"without soft_busy [force] is notsup", fun() ->
          P = erldrv_test:open("plain_drv"),
          ?assertError(notsup, port_command(P, <<"x">>, [force])),
          port_close(P)
      end},
      {"a panic in output closes the port", fun() ->
          process_flag(trap_exit, true),
          P = erldrv_test:open("plain_drv"),
          port_command(P, <<"panic">>),
          ?assertEqual(<<"deliberate panic in output">>, erldrv_test:recv_panic(P)),
          ?assertEqual(erldrv_panic, erldrv_test:recv_exit(P)),
          process_flag(trap_exit, false)
      end}]}.

%% Calls control OVERLAP on two ports of Driver from two processes, each bound to its own
%% scheduler (the `{scheduler, N}` spawn option, which OTP's own test suites use) and shown
%% to be running there, so that only the driver's lock can keep the two calls apart. Left
%% to themselves, two callers may never spread: a scheduler blocked inside a driver does not
%% hand its run queue to the idle one, and on a loaded machine the balancer may not move them
%% in time.
two_callers(Driver) ->
    Self = self(),
    Ports = [erldrv_test:open(Driver, []) || _ <- [1, 2]],
    [spawn_opt(fun() ->
         erlang:yield(),
         Sched = erlang:system_info(scheduler_id),
         Self ! {overlap, I, {Sched, port_control(P, ?OVERLAP, "")}}
     end, [link, {scheduler, I}]) || {I, P} <- lists:zip([1, 2], Ports)],
    Replies = [receive {overlap, I, R} -> R after 15000 -> timeout end || I <- [1, 2]],
    [port_close(P) || P <- Ports],
    ?assertEqual([{1, '_'}, {2, '_'}], [{S, '_'} || {S, _} <- Replies]),
    [R || {_, R} <- Replies].
