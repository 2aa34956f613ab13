%% The Erlang module erldrv against a real driver: unload/1 with open ports, reload/2
%% (and erl_ddll:reload/2 after erldrv:load/2), and the reasons open/2,3, control/3,
%% call/3 and load/2 raise. erlside_drv stands in for the runtime where the runtime does
%% not send its reason messages yet (it sends them itself; see its lib.rs). tests/beam.rs
%% prepares ERLSIDE_DIR:
%%
%%   v1/erlside_drv.so, v2/erlside_drv.so   two copies of the driver
%%   bad/erlside_drv.so                      not a shared library
%%   empty/                                  no driver at all
%%
%% In its own VM, since it loads, replaces and unloads the driver.
-module(erlside_tests).
-include_lib("eunit/include/eunit.hrl").
-export([unload_closes_ports_and_finishes_before_it_returns/0,
         unload_by_one_of_two_loaders/0,
         reload_replaces_the_library/0,
         erl_ddll_reload_after_erldrv_load/0,
         reload_keeps_the_load_options/0,
         reload_refused_while_ports_are_open/0,
         reload_refused_for_a_missing_file/0,
         reload_from_a_bad_file_loses_the_driver/0,
         reload_of_a_driver_that_is_not_loaded/0,
         reload_from_another_process/0,
         load_after_erl_ddll_load_driver/0,
         load_reports_the_init_error/0,
         load_without_an_init_reason/0,
         open_and_open_with_arguments/0,
         open_raises_the_start_reason/0,
         open_raises_the_start_panic/0,
         open_leaves_older_messages_alone/0,
         control_raises_the_reason/0,
         control_drops_stale_reasons/0,
         call_raises_the_reason/0]).

-define(DRV, "erlside_drv").
%% The driver's control commands are words, a verb and its argument ("echo abc"); its call
%% requests are an atom or {Atom, Argument}. The command number means nothing to it: 0.

-define(TIMEOUT, 5000).

dir(Sub) ->
    case os:getenv("ERLSIDE_DIR") of
        false -> error(erlside_dir_not_set);
        Dir -> filename:join(Dir, Sub)
    end.

so(Dir) -> filename:join(Dir, ?DRV ++ ".so").

loaded() ->
    {ok, Drivers} = erl_ddll:loaded_drivers(),
    lists:member(?DRV, Drivers).

%% Which file the running driver's code came from, asked through a new port.
library() ->
    P = erldrv:open(?DRV, []),
    Path = erldrv:control(P, 0, "library"),
    true = port_close(P),
    Path.

%% Runs Fun and returns the Text of the erldrv_load_failed error it raises.
load_failure(Fun) ->
    try Fun() of
        Result -> error({no_failure, Result})
    catch
        error:{erldrv_load_failed, _, _, Text} -> Text
    end.

%% Asserts that none of the messages from the driver's reasons is left.
no_reason_messages() ->
    receive
        {P, {Tag, _}} = M when is_port(P), Tag =:= erldrv_start_error;
                                is_port(P), Tag =:= erldrv_badarg;
                                is_port(P), Tag =:= erldrv_panic ->
            error({left_in_the_mailbox, M})
    after 0 -> ok
    end.

%% In a process of its own: erl_ddll counts loads per process, and the process's exit
%% cleans up after a failed assertion.
isolated(Fun) ->
    {Pid, Ref} = spawn_monitor(fun() -> process_flag(trap_exit, true), Fun() end),
    receive
        {'DOWN', Ref, process, Pid, normal} -> ok;
        {'DOWN', Ref, process, Pid, Reason} -> error(Reason)
    after 30000 ->
        exit(Pid, kill),
        error(timeout)
    end.

isolated_test_() ->
    [{atom_to_list(F), fun() -> isolated(fun ?MODULE:F/0) end}
     || F <- [unload_closes_ports_and_finishes_before_it_returns,
              unload_by_one_of_two_loaders,
              reload_replaces_the_library,
              erl_ddll_reload_after_erldrv_load,
              reload_keeps_the_load_options,
              reload_refused_while_ports_are_open,
              reload_refused_for_a_missing_file,
              reload_from_a_bad_file_loses_the_driver,
              reload_of_a_driver_that_is_not_loaded,
              reload_from_another_process,
              load_after_erl_ddll_load_driver,
              load_reports_the_init_error,
              load_without_an_init_reason,
              open_and_open_with_arguments,
              open_raises_the_start_reason,
              open_raises_the_start_panic,
              open_leaves_older_messages_alone,
              control_raises_the_reason,
              control_drops_stale_reasons,
              call_raises_the_reason]].



%% The last loader unloads: the ports close with driver_unloaded, finish runs, and all of
%% that before unload/1 returns.
unload_closes_ports_and_finishes_before_it_returns() ->
    ok = erldrv:load(dir("v1"), ?DRV),
    P = erldrv:open(?DRV, []),
    Q = erldrv:open(?DRV, []),
    os:unsetenv("ERLSIDE_DRV_FINISHED"),
    ?assertEqual(ok, erldrv:unload(?DRV)),
    ?assertEqual("yes", os:getenv("ERLSIDE_DRV_FINISHED")),
    ?assertNot(loaded()),
    ?assertEqual(undefined, erlang:port_info(P)),
    %% The owner traps exits: each port's exit reason arrives as a message.
    [receive {'EXIT', Port, Why} -> ?assertEqual(driver_unloaded, Why)
     after ?TIMEOUT -> error({no_exit, Port})
     end || Port <- [P, Q]],
    ?assertEqual({error, not_loaded}, erldrv:unload(?DRV)).

%% Another process has loaded the driver too: unload/1 only drops the caller's load.
%% When that other process exits, the driver's ports keep working (erldrv:load/2 loads
%% without kill_ports) and the driver goes, finish and all, when its last port closes.
unload_by_one_of_two_loaders() ->
    Self = self(),
    Other = spawn_link(fun() ->
        ok = erldrv:load(dir("v1"), ?DRV),
        Self ! {self(), loaded},
        receive stop -> ok end
    end),
    receive {Other, loaded} -> ok after ?TIMEOUT -> error(other_did_not_load) end,
    ok = erldrv:load(dir("v1"), ?DRV),
    P = erldrv:open(?DRV, []),
    os:unsetenv("ERLSIDE_DRV_FINISHED"),
    ?assertEqual(ok, erldrv:unload(?DRV)),
    ?assert(loaded()),
    ?assertEqual("pong", erldrv:control(P, 0, "echo pong")),
    ?assertEqual(false, os:getenv("ERLSIDE_DRV_FINISHED")),
    %% The last loader goes without unloading: its load ends with it.
    Ref = erl_ddll:monitor(driver, {?DRV, unloaded}),
    unlink(Other),
    OtherRef = monitor(process, Other),
    Other ! stop,
    receive {'DOWN', OtherRef, process, Other, _} -> ok end,
    erldrv_test:wait_until(fun() -> erl_ddll:info(?DRV, processes) =:= [] end, ?TIMEOUT),
    %% Pending unload: still listed, its port works, new ports can even be opened.
    ?assert(loaded()),
    ?assertEqual("still", erldrv:control(P, 0, "echo still")),
    Q = erldrv:open(?DRV, []),
    true = port_close(Q),
    ?assertEqual(false, os:getenv("ERLSIDE_DRV_FINISHED")),
    true = port_close(P),
    receive {'DOWN', Ref, driver, _, unloaded} -> ok
    after ?TIMEOUT -> error(driver_not_unloaded)
    end,
    ?assertEqual("yes", os:getenv("ERLSIDE_DRV_FINISHED")),
    ?assertNot(loaded()).

%% The new file's code runs after the reload: a new port's code says it was mapped from
%% the new file.
reload_replaces_the_library() ->
    ok = erldrv:load(dir("v1"), ?DRV),
    ?assertEqual(so(dir("v1")), library()),
    os:unsetenv("ERLSIDE_DRV_FINISHED"),
    ?assertEqual(ok, erldrv:reload(dir("v2"), ?DRV)),
    %% The old library's finish ran before the new one was loaded.
    ?assertEqual("yes", os:getenv("ERLSIDE_DRV_FINISHED")),
    ?assertEqual(so(dir("v2")), library()),
    %% Atoms name drivers as well as strings do; back to the first copy.
    ?assertEqual(ok, erldrv:reload(dir("v1"), erlside_drv)),
    ?assertEqual(so(dir("v1")), library()),
    ok = erldrv:unload(?DRV).

%% The fix: erldrv:load/2 loads without kill_ports, so OTP's own erl_ddll:reload/2 works
%% on its drivers (with erl_ddll:load_driver/2's kill_ports it returned
%% {error, bad_driver_name}: the VM's 'inconsistent', under erl_ddll's old name for it).
erl_ddll_reload_after_erldrv_load() ->
    ok = erldrv:load(dir("v1"), ?DRV),
    ?assertEqual([], erl_ddll:info(?DRV, driver_options)),
    ?assertEqual(ok, erl_ddll:reload(dir("v2"), ?DRV)),
    ?assertEqual(so(dir("v2")), library()),
    ok = erldrv:unload(?DRV).

%% A driver loaded with erl_ddll:load_driver/2 (kill_ports) can be replaced too: reload/2
%% repeats the options of the first load, as the VM requires.
reload_keeps_the_load_options() ->
    ok = erl_ddll:load_driver(dir("v1"), ?DRV),
    ?assertEqual({error, bad_driver_name}, erl_ddll:reload(dir("v2"), ?DRV)),
    ?assertEqual(ok, erldrv:reload(dir("v2"), ?DRV)),
    ?assertEqual(so(dir("v2")), library()),
    ?assertEqual([kill_ports], erl_ddll:info(?DRV, driver_options)),
    ok = erldrv:unload(?DRV).

reload_refused_while_ports_are_open() ->
    ok = erldrv:load(dir("v1"), ?DRV),
    P = erldrv:open(?DRV, []),
    ?assertEqual("driver erlside_drv still has 1 open port: a reload replaces the library "
                 "only once no port uses it. Close the ports first (port_close/1)",
                 load_failure(fun() -> erldrv:reload(dir("v2"), ?DRV) end)),
    %% Nothing changed.
    ?assertEqual("on", erldrv:control(P, 0, "echo on")),
    ?assertEqual(so(dir("v1")), library()),
    true = port_close(P),
    ok = erldrv:unload(?DRV).

reload_refused_for_a_missing_file() ->
    ok = erldrv:load(dir("v1"), ?DRV),
    ?assertEqual(so(dir("empty")) ++ " does not exist: build the driver and install its "
                 "library there as erlside_drv.so",
                 load_failure(fun() -> erldrv:reload(dir("empty"), ?DRV) end)),
    %% Checked before the VM is asked: the old library is still there.
    ?assertEqual(so(dir("v1")), library()),
    ok = erldrv:unload(?DRV).

%% The VM unloads the old library before it opens the new one.
reload_from_a_bad_file_loses_the_driver() ->
    ok = erldrv:load(dir("v1"), ?DRV),
    Text = load_failure(fun() -> erldrv:reload(dir("bad"), ?DRV) end),
    %% The file's own error in the middle, as for load/2.
    ?assert(lists:prefix(so(dir("bad")) ++ ": ", Text)),
    ?assert(lists:suffix(". The old library was unloaded before the new one was opened, "
                         "so driver erlside_drv is no longer loaded", Text)),
    ?assertNot(loaded()).

reload_of_a_driver_that_is_not_loaded() ->
    ?assertEqual("driver erlside_drv is not loaded, so there is nothing to replace: load "
                 "it with erldrv:load/2",
                 load_failure(fun() -> erldrv:reload(dir("v2"), ?DRV) end)).

reload_from_another_process() ->
    ok = erldrv:load(dir("v1"), ?DRV),
    Self = self(),
    spawn_link(fun() ->
        Self ! {text, load_failure(fun() -> erldrv:reload(dir("v2"), ?DRV) end)}
    end),
    Text = receive {text, T} -> T after ?TIMEOUT -> error(no_text) end,
    ?assertEqual(lists:flatten(io_lib:format(
                   "driver erlside_drv is loaded by other processes too (~p loaded it): "
                   "the VM replaces a driver only for the one process that loaded it. "
                   "Reload it from that process, once the others have unloaded it",
                   [[Self]])), Text),
    ?assertEqual(so(dir("v1")), library()),
    ok = erldrv:unload(?DRV).

load_after_erl_ddll_load_driver() ->
    ok = erl_ddll:load_driver(dir("v1"), ?DRV),
    ?assertEqual("driver erlside_drv is already loaded with erl_ddll:load_driver/2, which "
                 "gives it the kill_ports option; erldrv:load/2 loads like erl_ddll:load/2, "
                 "without it, and the VM does not load one driver both ways. Load it one "
                 "way everywhere, or unload it first, before loading " ++ so(dir("v1")),
                 load_failure(fun() -> erldrv:load(dir("v1"), ?DRV) end)),
    ok = erl_ddll:unload_driver(?DRV).

%% The init error variable (set here by the driver, standing in for the runtime) ends up
%% in the text, and is taken out of the environment.
load_reports_the_init_error() ->
    os:putenv("ERLSIDE_DRV_INIT", "fail"),
    Text = load_failure(fun() -> erldrv:load(dir("v1"), ?DRV) end),
    os:unsetenv("ERLSIDE_DRV_INIT"),
    ?assertEqual(so(dir("v1")) ++ ": the driver's init failed: stand-in init error", Text),
    ?assertEqual(false, os:getenv("ERLDRV_INIT_ERROR_erlside_drv")),
    ?assertNot(loaded()).

load_without_an_init_reason() ->
    %% A variable left from before this load is not this load's reason: the runtime
    %% writes this load's own (for a driver that is not erldrv's, none would come, and
    %% the text would point at the VM's standard error instead).
    os:putenv("ERLDRV_INIT_ERROR_erlside_drv", "stale"),
    os:putenv("ERLSIDE_DRV_INIT", "fail_silently"),
    Text = load_failure(fun() -> erldrv:load(dir("v1"), ?DRV) end),
    os:unsetenv("ERLSIDE_DRV_INIT"),
    ?assertEqual(so(dir("v1")) ++ ": the driver's init failed: failing without a variable",
                 Text),
    ?assertEqual(ok, erldrv:load(dir("v1"), ?DRV)),
    ok = erldrv:unload(?DRV).

open_and_open_with_arguments() ->
    ok = erldrv:load(dir("v1"), ?DRV),
    P = erldrv:open(erlside_drv, [binary]),
    ?assert(is_port(P)),
    ?assertEqual("x", erldrv:control(P, 0, "echo x")),
    %% The arguments reach start after the name and a space.
    ?assertError(badarg, erldrv:open(?DRV, "refuse_silently", [])),
    ?assertError(einval, erldrv:open(?DRV, <<"no_such_mode">>, [])),
    ?assertError(badarg, erldrv:open("no_such_drv", [])),
    no_reason_messages(),
    true = port_close(P),
    ok = erldrv:unload(?DRV).

open_raises_the_start_reason() ->
    ok = erldrv:load(dir("v1"), ?DRV),
    ?assertError({badarg, <<"no, thanks">>}, erldrv:open(?DRV, "refuse no, thanks", [])),
    ?assertError({enoent, <<"nothing there">>},
                 erldrv:open(?DRV, "refuse_enoent nothing there", [])),
    no_reason_messages(),
    ok = erldrv:unload(?DRV).

%% The runtime sends the panic message from start today: open/2,3 raises it.
open_raises_the_start_panic() ->
    ok = erldrv:load(dir("v1"), ?DRV),
    ?assertError({erldrv_panic, <<"deliberate panic in start">>},
                 erldrv:open(?DRV, "panic", [])),
    no_reason_messages(),
    ok = erldrv:unload(?DRV).

%% A reason message from an earlier port, not yet read, is not taken for the new port's.
open_leaves_older_messages_alone() ->
    ok = erldrv:load(dir("v1"), ?DRV),
    Old = erldrv:open(?DRV, []),
    true = port_close(Old),
    Stale = {Old, {erldrv_panic, <<"an old panic">>}},
    self() ! Stale,
    ?assertError(badarg, erldrv:open(?DRV, "refuse_silently", [])),
    ?assertError({badarg, <<"new">>}, erldrv:open(?DRV, "refuse new", [])),
    ?assertError({erldrv_panic, <<"deliberate panic in start">>},
                 erldrv:open(?DRV, "panic", [])),
    receive Stale -> ok after 0 -> error(stale_message_consumed) end,
    no_reason_messages(),
    ok = erldrv:unload(?DRV).

control_raises_the_reason() ->
    ok = erldrv:load(dir("v1"), ?DRV),
    P = erldrv:open(?DRV, []),
    ?assertEqual("abc", erldrv:control(P, 0, "echo abc")),
    ?assertError({badarg, <<"why not">>}, erldrv:control(P, 0, "badarg_with_reason why not")),
    %% No reason given: badarg as port_control/3 raised it.
    ?assertError(badarg, erldrv:control(P, 0, "no_such_command")),
    %% A panic (the owner gets the message; here the owner is the caller).
    ?assertError({erldrv_panic, <<"deliberate panic in control">>},
                 erldrv:control(P, 0, "panic")),
    ?assertError(badarg, erldrv:control(P, 0, "echo closed")),
    no_reason_messages(),
    ok = erldrv:unload(?DRV).

%% A reason left by an earlier port_control/3 made without erldrv is not this request's.
control_drops_stale_reasons() ->
    ok = erldrv:load(dir("v1"), ?DRV),
    P = erldrv:open(?DRV, []),
    ?assertError(badarg, erlang:port_control(P, 0, "badarg_with_reason old")),
    ?assertError({badarg, <<"new">>}, erldrv:control(P, 0, "badarg_with_reason new")),
    no_reason_messages(),
    true = port_close(P),
    ok = erldrv:unload(?DRV).

call_raises_the_reason() ->
    ok = erldrv:load(dir("v1"), ?DRV),
    P = erldrv:open(?DRV, []),
    ?assertEqual({any, [term]}, erldrv:call(P, 0, {echo, {any, [term]}})),
    ?assertError({badarg, <<"refused by request">>}, erldrv:call(P, 0, refuse)),
    %% The reply the runtime will give for a panic.
    ?assertError({erldrv_panic, <<"stand-in">>}, erldrv:call(P, 0, reply_panic)),
    %% A real panic: the reply says so, and the owner's copy of the message is dropped.
    ?assertError({erldrv_panic, <<"deliberate panic in call">>},
                 erldrv:call(P, 0, panic)),
    ?assertError(badarg, erldrv:call(P, 0, {echo, x})),
    no_reason_messages(),
    ok = erldrv:unload(?DRV).
