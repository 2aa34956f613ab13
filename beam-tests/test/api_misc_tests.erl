%% The smaller corners of the driver API: Erlang time read by the driver, the busy limits
%% of a port's message queue, the os_pid port_info reports, the options a port was opened
%% with, ports the driver creates for its caller, and errno names. Drives
%% beam-tests/drivers/api_misc.
-module(api_misc_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "api_misc_drv").

api_misc_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [{"monotonic time agrees with erlang:monotonic_time/1", fun monotonic_time/0},
       {"the time offset is erlang:time_offset/1", fun time_offset/0},
       {"system time agrees with erlang:system_time/1", fun system_time/0},
       {"time units convert as erlang:convert_time_unit/3", fun convert_time_unit/0},
       {"busy message queue limits: read, set, refused, disabled", fun busy_msgq_limits/0},
       {timeout, 30, {"a low high limit makes the queue busy sooner",
                      fun busy_msgq_suspends_senders/0}},
       {"os_pid", fun os_pid/0},
       {"open flags", fun open_flags/0},
       {"a child port for the caller", fun child_port/0},
       {"a named child port, set up before use", fun named_child_port/0},
       {"a panic in the setup closes the child only", fun child_setup_panics/0},
       {"refusals of create_port", fun create_port_refusals/0},
       {"errno names", fun errno_names/0}]}}.

ctl(P, Words) -> port_control(P, 0, Words).

int(P, Words) -> list_to_integer(ctl(P, Words)).

units() -> [second, millisecond, microsecond, nanosecond].

monotonic_time() ->
    P = erldrv_test:open(?DRV),
    [begin
         Before = erlang:monotonic_time(U),
         T = int(P, "monotonic " ++ atom_to_list(U)),
         After = erlang:monotonic_time(U),
         ?assert(Before =< T andalso T =< After)
     end || U <- units()],
    %% The VM answers on scheduler threads only.
    ?assertEqual("none", ctl(P, "monotonic_off_scheduler")),
    port_close(P).

time_offset() ->
    P = erldrv_test:open(?DRV),
    %% The default time warp mode keeps the offset fixed: the values are equal.
    no_time_warp = erlang:system_info(time_warp_mode),
    [?assertEqual(erlang:time_offset(U), int(P, "offset " ++ atom_to_list(U)))
     || U <- units()],
    port_close(P).

system_time() ->
    P = erldrv_test:open(?DRV),
    [begin
         Before = erlang:system_time(U),
         T = int(P, "system " ++ atom_to_list(U)),
         After = erlang:system_time(U),
         ?assert(Before =< T andalso T =< After)
     end || U <- units()],
    port_close(P).

convert_time_unit() ->
    P = erldrv_test:open(?DRV),
    Values = [0, 1, -1, 999, -999, 1000, -1001, 1500, 123456789, -123456789,
              1 bsl 30, -(1 bsl 30)],
    [begin
         Words = lists:flatten(io_lib:format("convert ~b ~s ~s", [V, F, T])),
         ?assertEqual({V, F, T, erlang:convert_time_unit(V, F, T)},
                      {V, F, T, int(P, Words)})
     end || V <- Values, F <- units(), T <- units()],
    %% What does not fit an i64 is refused, not wrapped around.
    Max = integer_to_list((1 bsl 63) - 1),
    ?assertEqual("none", ctl(P, "convert " ++ Max ++ " second nanosecond")),
    ?assertEqual("9223372036", ctl(P, "convert " ++ Max ++ " nanosecond second")),
    ?assertError(badarg, ctl(P, "convert 1 fortnight second")),
    port_close(P).

limits(P, Words) ->
    case string:split(ctl(P, Words), " ") of
        [Low, High] -> {list_to_integer(Low), list_to_integer(High)};
        [Other] -> Other
    end.

busy_msgq_limits() ->
    P = erldrv_test:open(?DRV),
    %% The VM's defaults.
    ?assertEqual({4096, 8192}, limits(P, "busy_msgq")),
    ?assertEqual({100, 1000}, limits(P, "set_busy_msgq 100 1000")),
    ?assertEqual({100, 1000}, limits(P, "busy_msgq")),
    %% keep leaves a limit as it is; the VM keeps low =< high.
    ?assertEqual({100, 2000}, limits(P, "set_busy_msgq keep 2000")),
    ?assertEqual({50, 50}, limits(P, "set_busy_msgq keep 50")),
    ?assertEqual({3000, 3000}, limits(P, "set_busy_msgq 3000 keep")),
    %% 0 and usize::MAX mean "read" and "disable" to the VM: refused, nothing changes.
    ?assertEqual("invalid 0", ctl(P, "set_busy_msgq 0 100")),
    ?assertEqual("invalid 18446744073709551615",
                 ctl(P, "set_busy_msgq keep 18446744073709551615")),
    ?assertEqual({3000, 3000}, limits(P, "busy_msgq")),
    %% Disabled for good.
    "ok" = ctl(P, "disable_busy_msgq"),
    ?assertEqual("disabled", ctl(P, "busy_msgq")),
    ?assertEqual("disabled", ctl(P, "set_busy_msgq 10 20")),
    port_close(P).

%% A process on the other scheduler holds the port (its control sleeps), so command data
%% sent meanwhile with `!` waits in the port's message queue. With the high limit at 1000
%% bytes, 2000 waiting bytes make the queue busy: port_command(..., [nosuspend]) is refused
%% at once. With the VM's default limit (8192) the queue is not busy: the same call goes
%% through (port_command/3 returns once the port has taken the data, after the hold).
busy_msgq_suspends_senders() ->
    Payload = binary:copy(<<"x">>, 2000),
    Default = erldrv_test:open(?DRV),
    ?assertEqual(true, command_while_held(Default, Payload)),
    port_close(Default),
    Low = erldrv_test:open(?DRV),
    {500, 1000} = limits(Low, "set_busy_msgq 500 1000"),
    ?assertEqual(false, command_while_held(Low, Payload)),
    %% Once the port runs again the queue drains, and senders get through.
    ?assertEqual(<<"parent:", Payload/binary>>, erldrv_test:recv_data(Low)),
    ?assert(port_command(Low, <<"y">>, [nosuspend])),
    ?assertEqual(<<"parent:y">>, erldrv_test:recv_data(Low)),
    port_close(Low).

%% The holder and this process are bound to different schedulers (the harness runs two):
%% on one, this process would only run again once the hold is over.
command_while_held(P, Payload) ->
    Self = self(),
    process_flag(scheduler, 1),
    erlang:yield(),
    try
        Holder = spawn_opt(fun() -> Self ! {held, ctl(P, "sleep 500")} end,
                           [link, {scheduler, 2}]),
        ?assertEqual(<<"sleeping">>, erldrv_test:recv_data(P)),
        P ! {self(), {command, Payload}},
        Result = port_command(P, <<"y">>, [nosuspend]),
        receive {held, "ok"} -> ok after 5000 -> error(holder_stuck) end,
        unlink(Holder),
        Result
    after
        process_flag(scheduler, 0)
    end.

os_pid() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual({os_pid, undefined}, erlang:port_info(P, os_pid)),
    "ok" = ctl(P, "os_pid 4242"),
    ?assertEqual({os_pid, 4242}, erlang:port_info(P, os_pid)),
    port_close(P).

open_flags() ->
    Bin = erldrv_test:open(?DRV, [binary]),
    ?assertEqual("binary=true line=false", ctl(Bin, "flags")),
    port_close(Bin),
    List = erldrv_test:open(?DRV, []),
    ?assertEqual("binary=false line=false", ctl(List, "flags")),
    port_close(List),
    Line = erldrv_test:open(?DRV, [{line, 80}]),
    ?assertEqual("binary=false line=true", ctl(Line, "flags")),
    port_close(Line).

recv_child() ->
    receive {child, Child} when is_port(Child) -> Child
    after 5000 -> error(no_child)
    end.

child_port() ->
    Parent = erldrv_test:open(?DRV),
    "ok" = ctl(Parent, "spawn_child"),
    Child = recv_child(),
    ?assertNotEqual(Parent, Child),
    %% The caller owns the child, which runs the driver with the state it was given.
    ?assertEqual({connected, self()}, erlang:port_info(Child, connected)),
    ?assertEqual({name, ?DRV}, erlang:port_info(Child, name)),
    ?assertEqual("child 1", ctl(Child, "role")),
    ?assertEqual("parent", ctl(Parent, "role")),
    true = port_command(Child, <<"hello">>),
    ?assertEqual(<<"child 1:hello">>, erldrv_test:recv_data(Child)),
    %% Linked to its owner, as a port opened with open_port/2.
    {links, Links} = erlang:process_info(self(), links),
    ?assert(lists:member(Child, Links)),
    %% A second child gets the next state.
    "ok" = ctl(Parent, "spawn_child"),
    Child2 = recv_child(),
    ?assertEqual("child 2", ctl(Child2, "role")),
    %% Closing the parent leaves the children open.
    port_close(Parent),
    ?assertEqual(undefined, erlang:port_info(Parent)),
    ?assertEqual("child 1", ctl(Child, "role")),
    true = port_command(Child, <<"still here">>),
    ?assertEqual(<<"child 1:still here">>, erldrv_test:recv_data(Child)),
    %% A child's stop runs when it closes, like any port's.
    "ok" = ctl(Child, "create_in_stop"),
    port_close(Child),
    ?assertEqual(undefined, erlang:port_info(Child)),
    port_close(Child2),
    erldrv_test:flush().

named_child_port() ->
    Parent = erldrv_test:open(?DRV),
    "ok" = ctl(Parent, "spawn_child_named conn"),
    Child = recv_child(),
    %% The setup ran on the new port before anything else: its first message is there.
    ?assertEqual(<<"hello from child 1 in setup">>, erldrv_test:recv_data(Child)),
    ?assertEqual({name, "conn"}, erlang:port_info(Child, name)),
    %% Made by the driver, not opened with binary: the VM gives it list mode.
    ?assertEqual("binary=false line=false", ctl(Child, "flags")),
    port_close(Child),
    port_close(Parent).

child_setup_panics() ->
    process_flag(trap_exit, true),
    Parent = erldrv_test:open(?DRV),
    "ok" = ctl(Parent, "spawn_child_panicking"),
    Child = recv_child(),
    ?assertEqual(<<"deliberate panic in create_port setup">>, erldrv_test:recv_panic(Child)),
    ?assertEqual(erldrv_panic, erldrv_test:recv_exit(Child)),
    process_flag(trap_exit, false),
    %% The parent is untouched.
    ?assertEqual("parent", ctl(Parent, "role")),
    port_close(Parent).

create_port_refusals() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual("OtherDriver", ctl(P, "spawn_stranger")),
    ?assertEqual("BadName", ctl(P, "spawn_child_bad_name")),
    "ok" = ctl(P, "create_in_stop"),
    port_close(P),
    ?assertEqual(<<"create in stop: Stopped">>, erldrv_test:recv_data(P)),
    erldrv_test:no_message(P).

errno_names() ->
    P = erldrv_test:open(?DRV),
    %% Linux numbers.
    ?assertEqual("enoent", ctl(P, "errno 2")),
    ?assertEqual("eagain", ctl(P, "errno 11")),
    ?assertEqual("econnrefused", ctl(P, "errno 111")),
    ?assertEqual("none", ctl(P, "errno 99999")),
    ?assertEqual("none", ctl(P, "errno_not_os")),
    port_close(P).
