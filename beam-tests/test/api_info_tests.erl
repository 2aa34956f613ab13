%% The driver API a C driver reaches directly, in safe Rust: the VM's system info, exit
%% reasons named at run time and from I/O errors, monitor results that say why, [] from a
%% binary-mode port_control, environment values that are not UTF-8, and a driver made
%% permanent on purpose (last: it stays loaded for the rest of the VM).
%% Drives beam-tests/drivers/api_info; run with +A 3 +S 3:3 and API_INFO_RAW set to the
%% bytes "a", 255, "b" (beam-tests/tests/beam.rs).
-module(api_info_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "api_info_drv").

api_info_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [fun system_info/0,
       fun exit_atom/0,
       fun exit_atom_latin1/0,
       fun exit_atom_limits/0,
       fun exit_io_error/0,
       fun monitor_no_process/0,
       fun demonitor_no_monitor/0,
       fun empty_list_reply/0,
       fun env_not_utf8/0,
       fun env_long_value/0,
       fun env_putenv/0,
       %% Last: the driver is permanent afterwards.
       fun lock_driver/0]}}.

%% Control commands are words: the verb, then its argument.
ctl(P, Words) -> port_control(P, 0, Words).

system_info() ->
    P = erldrv_test:open(?DRV),
    Expected = lists:flatten(io_lib:format("~s ~s ~s ~p ~p ~p ~p ~s ~p", [
        erlang:system_info(driver_version),
        erlang:system_info(version),
        erlang:system_info(otp_release),
        erlang:system_info(threads),
        erlang:system_info(smp_support),
        erlang:system_info(thread_pool_size),
        erlang:system_info(schedulers),
        erlang:system_info(nif_version),
        erlang:system_info(dirty_cpu_schedulers) > 0])),
    ?assertEqual(list_to_binary(Expected), ctl(P, "system_info")),
    %% The flags of this run, not the defaults.
    ?assertEqual(3, erlang:system_info(thread_pool_size)),
    ?assertEqual(3, erlang:system_info(schedulers)),
    port_close(P).

%% Closes a new port with Words and returns its exit reason.
exit_reason(Words) ->
    process_flag(trap_exit, true),
    P = erldrv_test:open(?DRV),
    <<>> = ctl(P, Words),
    Reason = erldrv_test:recv_exit(P),
    process_flag(trap_exit, false),
    Reason.

exit_atom() ->
    N = 7,
    ?assertEqual(closed_7, exit_reason("exit_atom closed_" ++ integer_to_list(N))),
    %% The longest name the VM takes: all of it, not cut.
    Long = lists:duplicate(255, $z),
    ?assertEqual(list_to_atom(Long), exit_reason("exit_atom " ++ Long)).

%% Names are Latin-1: é is one character, the atom 'é', not two.
exit_atom_latin1() ->
    Words = unicode:characters_to_binary([<<"exit_atom caf">>, 233]),
    ?assertEqual(list_to_atom([$c, $a, $f, 233]), exit_reason(Words)).

%% What the VM would cut or misread is refused with a reason, and the port stays open.
exit_atom_limits() ->
    P = erldrv_test:open(?DRV),
    ?assertError({badarg, <<"an atom name has at most 255 characters, this one has 256">>},
                 erldrv:control(P, 0, "exit_atom " ++ lists:duplicate(256, $z))),
    ?assertError({badarg, <<"an atom name cannot contain NUL">>},
                 erldrv:control(P, 0, [<<"exit_atom a">>, 0, $b])),
    ?assertError({badarg, <<"an exit atom's name is Latin-1, 'λ' (U+03BB) is not"/utf8>>},
                 erldrv:control(P, 0, unicode:characters_to_binary("exit_atom λ"))),
    ?assertEqual(<<>>, ctl(P, "empty")),
    port_close(P).

exit_io_error() ->
    ?assertEqual(enoent, exit_reason("exit_io missing_file")),
    ?assertEqual(etimedout, exit_reason("exit_io timed_out")),
    ?assertEqual(eio, exit_reason("exit_io other")).

%% A process that has exited cannot be monitored, and the driver learns why.
monitor_no_process() ->
    P = erldrv_test:open(?DRV),
    {Pid, Ref} = spawn_monitor(fun() -> <<>> = ctl(P, "remember_caller") end),
    receive {'DOWN', Ref, process, Pid, normal} -> ok after 5000 -> error(no_down) end,
    ?assertEqual(<<"no_process">>, ctl(P, "monitor_remembered")),
    port_close(P).

demonitor_no_monitor() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual(<<"ok no_monitor">>, ctl(P, "demonitor_twice")),
    port_close(P).

%% In binary mode an empty reply is <<>>; set_empty_list makes it [], as a C driver's NULL.
empty_list_reply() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual(<<>>, ctl(P, "empty")),
    ?assertEqual([], ctl(P, "empty_list")),
    ?assertEqual([], ctl(P, "written_then_empty_list")),
    ?assertEqual(<<"abc">>, ctl(P, "empty_list_then abc")),
    ?assertEqual(<<>>, ctl(P, "empty")),
    port_close(P),
    Q = erldrv_test:open(?DRV),
    ?assertEqual([], ctl(Q, "empty_list_in_list_mode")),
    port_close(Q).

%% API_INFO_RAW holds the bytes "a", 255, "b": not UTF-8.
env_not_utf8() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual([$a, 255, $b], os:getenv("API_INFO_RAW")),
    ?assertEqual(<<"a", 255, "b">>, ctl(P, "env_bytes API_INFO_RAW")),
    ?assertEqual(<<"a", 255, "b">>, ctl(P, "env_os API_INFO_RAW")),
    %% var/1 has no String for it.
    ?assertEqual([], ctl(P, "env_str API_INFO_RAW")),
    ?assertEqual([], ctl(P, "env_bytes API_INFO_UNSET")),
    port_close(P).

%% Longer than the first buffer: the VM says how much it needs, and is asked again.
env_long_value() ->
    P = erldrv_test:open(?DRV),
    Long = lists:duplicate(5000, $x),
    true = os:putenv("API_INFO_LONG", Long),
    ?assertEqual(list_to_binary(Long), ctl(P, "env_bytes API_INFO_LONG")),
    ?assertEqual(list_to_binary(Long), ctl(P, "env_str API_INFO_LONG")),
    port_close(P).

%% os:putenv/2 encodes in the file name encoding (UTF-8 here): 255 becomes two bytes.
env_putenv() ->
    P = erldrv_test:open(?DRV),
    true = os:putenv("API_INFO_SET", [255]),
    ?assertEqual(<<195, 191>>, ctl(P, "env_bytes API_INFO_SET")),
    ?assertEqual(<<"ÿ"/utf8>>, ctl(P, "env_str API_INFO_SET")),
    port_close(P).

%% Once locked, the driver cannot be unloaded or reloaded, even with no port open.
lock_driver() ->
    ?assertEqual(false, erl_ddll:info(?DRV, permanent)),
    P = erldrv_test:open(?DRV),
    ?assertEqual(<<"true">>, ctl(P, "lock_driver")),
    %% Again: nothing changes.
    ?assertEqual(<<"true">>, ctl(P, "lock_driver")),
    port_close(P),
    ?assertEqual(true, erl_ddll:info(?DRV, permanent)),
    ?assertEqual({error, permanent}, erl_ddll:unload_driver(?DRV)),
    ?assertEqual({error, permanent}, erl_ddll:reload_driver(erldrv_test:driver_dir(), ?DRV)),
    %% Still loaded, owned by no process any more, and serving ports.
    ?assertEqual(permanent, erl_ddll:info(?DRV, processes)),
    {ok, Loaded} = erl_ddll:loaded_drivers(),
    ?assert(lists:member(?DRV, Loaded)),
    Q = erldrv_test:open(?DRV),
    ?assertEqual(<<>>, ctl(Q, "empty")),
    port_close(Q).
