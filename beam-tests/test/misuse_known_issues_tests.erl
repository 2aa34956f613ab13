%% Soundness, continued: misuses that leave the VM alive but break a documented promise on
%% OTP 25.2.3 today. misuse_tests only checks that they are harmless; these check the
%% documented behaviour (beam.rs: misuse_known_issues).
-module(misuse_known_issues_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "misuse_drv").

%% Control commands are words: the verb, then its argument.
ctl(P, Words) -> port_control(P, 0, Words).

known_issues_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     [{"the longest timer does not fire at once", fun longest_timer/0},
      {"a removed monitor watches no process", fun removed_monitor/0}]}.

%% set_timer(u64::MAX): driver_set_timer takes an unsigned long, but the VM computes with a
%% signed 64-bit time; anything from 2^63 ms fires at once today.
longest_timer() ->
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "set_timer max"),
    ?assertNotEqual("none", ctl(P, "read_timer")),
    erldrv_test:no_message(P),
    port_close(P).

%% monitored_process documents None for a monitor that fired or was removed; the VM answers
%% driver_term_nil (NIL, not 0), which comes out as Some(Pid(0x3b)) today.
removed_monitor() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual("none", ctl(P, "dead_monitor_pid")),
    port_close(P).
