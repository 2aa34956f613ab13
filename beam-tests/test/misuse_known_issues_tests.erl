%% Soundness, continued: misuses that leave the VM alive but break a documented promise on
%% OTP 25.2.3 today. misuse_tests only checks that they are harmless; these check the
%% documented behaviour (beam.rs: misuse_known_issues).
-module(misuse_known_issues_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "misuse_drv").
-define(SET_TIMER, 23).
-define(READ_TIMER, 24).
-define(DEAD_MONITOR_PID, 31).

known_issues_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     [{"the longest timer does not fire at once", fun longest_timer/0},
      {"a removed monitor watches no process", fun removed_monitor/0}]}.

%% set_timer(u64::MAX): driver_set_timer takes an unsigned long, but the VM computes with a
%% signed 64-bit time; anything from 2^63 ms fires at once today.
longest_timer() ->
    P = erldrv_test:open(?DRV),
    [] = port_control(P, ?SET_TIMER, "max"),
    ?assertNotEqual("none", port_control(P, ?READ_TIMER, "")),
    erldrv_test:no_message(P),
    port_close(P).

%% monitored_process documents None for a monitor that fired or was removed; the VM answers
%% driver_term_nil (NIL, not 0), which comes out as Some(Pid(0x3b)) today.
removed_monitor() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual("none", port_control(P, ?DEAD_MONITOR_PID, "")),
    port_close(P).
