%% Process monitors: a monitored process's exit reaches process_exit; a monitor watches its
%% process and is removed once; a panic in process_exit closes the port. Drives
%% beam-tests/drivers/monitors.
-module(monitors_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "monitors_drv").

monitors_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [fun demonitor/0,
       fun monitor_reaches_process_exit/0,
       {"a panic in process_exit", fun panic_in_process_exit/0}]}}.

%% Control commands are words: the verb, then its argument.
ctl(P, Words) -> port_control(P, 0, Words).

demonitor() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual("true true false", ctl(P, "monitor_then_demonitor")),
    port_close(P).

monitor_reaches_process_exit() ->
    P = erldrv_test:open(?DRV),
    Self = self(),
    {Pid, Ref} = spawn_monitor(fun() -> [] = ctl(P, "monitor"), Self ! monitored end),
    receive monitored -> ok after 5000 -> error(not_monitored) end,
    receive {'DOWN', Ref, process, Pid, _} -> ok end,
    ?assertEqual(<<"process_exit">>, erldrv_test:recv_data(P)),
    %% Exactly once.
    erldrv_test:no_message(P),
    port_close(P).

%% The owner is told, the port exits with erldrv_panic, and the VM carries on.
panic_in_process_exit() ->
    process_flag(trap_exit, true),
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "panic_in process_exit"),
    {_, Ref} = spawn_monitor(fun() -> ctl(P, "monitor") end),
    receive {'DOWN', Ref, _, _, _} -> ok end,
    ?assertEqual(<<"deliberate panic in process_exit">>, erldrv_test:recv_panic(P)),
    ?assertEqual(erldrv_panic, erldrv_test:recv_exit(P)),
    process_flag(trap_exit, false),
    %% The driver still serves new ports.
    ?assertEqual("pong", ctl(erldrv_test:open(?DRV), "ping")).
