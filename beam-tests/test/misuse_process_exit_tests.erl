%% Soundness, continued: demonitor_process on the monitor being delivered, inside
%% process_exit. Segfaults OTP 25.2.3 today when it reaches the VM; kept apart from
%% misuse_tests until the framework stops it there (beam.rs: misuse_demonitor_in_process_exit).
-module(misuse_process_exit_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "misuse_drv").

%% Control commands are words: the verb, then its argument.
ctl(P, Words) -> port_control(P, 0, Words).

demonitor_in_process_exit_test() ->
    ok = erldrv_test:load(?DRV),
    P = erldrv_test:open(?DRV),
    {Pid, Ref} = spawn_monitor(
        fun() -> [] = ctl(P, "demonitor_in_process_exit") end),
    receive {'DOWN', Ref, process, Pid, normal} -> ok after 5000 -> error(no_down) end,
    %% The monitor has fired: there is nothing to remove.
    ?assertEqual(<<"process_exit demonitor=false">>, erldrv_test:recv_data(P)),
    ?assertEqual("pong", ctl(P, "ping")),
    port_close(P).
