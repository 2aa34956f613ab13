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
     [{"port_locking lets two ports run at once", fun() ->
          ?assertEqual(["overlap", "overlap"], two_callers("locked_drv"))
      end},
      {"driver-level locking runs one port at a time", fun() ->
          ?assertEqual(["alone", "alone"], two_callers("plain_drv"))
      end},
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

%% Calls control OVERLAP on two ports of Driver from two processes, each first shown to run
%% on its own scheduler, so that only the driver's lock can keep them apart. (Callers that
%% start on one scheduler may never spread: a scheduler blocked in a driver does not wake
%% the idle one.)
two_callers(Driver) ->
    Self = self(),
    Ids = atomics:new(2, []),
    Ports = [erldrv_test:open(Driver, []) || _ <- [1, 2]],
    [spawn_link(fun() ->
         apart(Ids, I, erlang:monotonic_time(millisecond) + 5000),
         Self ! {overlap, I, port_control(P, ?OVERLAP, "")}
     end) || {I, P} <- lists:zip([1, 2], Ports)],
    Replies = [receive {overlap, I, R} -> R after 10000 -> timeout end || I <- [1, 2]],
    [port_close(P) || P <- Ports],
    Replies.

apart(Ids, I, Deadline) ->
    atomics:put(Ids, I, erlang:system_info(scheduler_id)),
    Mine = atomics:get(Ids, I),
    Other = atomics:get(Ids, 3 - I),
    case Other =/= 0 andalso Other =/= Mine of
        true -> ok;
        false ->
            erlang:monotonic_time(millisecond) < Deadline orelse error(not_on_two_schedulers),
            erlang:yield(),
            apart(Ids, I, Deadline)
    end.
