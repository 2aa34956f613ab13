%% The measuring half of `cargo xtask bench`: hand-written C drivers against erldrv drivers
%% doing the same work, in one VM.
%%
%% run/1 loads every driver from one directory, the C NIF, and starts the external port
%% program; it opens one port per driver, and checks the replies of both sides of every case
%% of cases/0 once (a wrong reply aborts the run). Then, case by case, it warms both sides
%% up, picks a call count N so that the slower side's round takes about RoundMs, and times
%% Rounds rounds of N calls per side, the two sides interleaved (C, other, then other, C, and
%% so on, so that neither always runs first). Last comes the memory test: many control
%% calls on one driver of each side, with the VM's memory measured before and after.
%%
%% Results go to standard output as `erldrv-bench ...` lines, read by the xtask, which does
%% the statistics; progress goes to standard error.
-module(erldrv_bench).
-export([main/1, run/1, cases/0]).

-define(C_DRV, "c_bench_drv").
-define(ERLDRV_DRV, "erldrv_bench_drv").
-define(TYPED_DRV, "erldrv_typed_drv").
-define(DRIVERS, [?C_DRV, ?ERLDRV_DRV, ?TYPED_DRV]).
%% The context rows' C code: a NIF library (with its Erlang module) and a port program.
-define(NIF_LIB, "c_bench_nif").
-define(NIF_MOD, erldrv_bench_nif).
-define(PACKET_PROGRAM, "packet_echo").

%% Commands, the same numbers in every driver.
-define(CONTROL_ECHO, 0).
-define(CONTROL_BINARY, 1).
-define(CONTROL_LIST, 2).
-define(CALL_ECHO, 0).
-define(CALL_ADD, 1).

%% The payload of the memory test's control calls.
-define(MEMORY_BYTES, 22).
%% Calls per side before the memory test's first measurement, so that neither side pays
%% for the allocators settling.
-define(MEMORY_WARMUP, 100000).

%% How long a check waits for a port's message before calling the reply missing.
-define(REPLY_TIMEOUT, 5000).

%% The cases. Each is a map with a name, a kind, the argument, the reply both sides must
%% give, and the two sides, each a target (below):
%%
%%   kind pair:    `c` (the C driver) and `erldrv` (the erldrv driver with the same logic);
%%                 optionally `reject`, an argument both sides must refuse, each in its own
%%                 way (the C driver replies {error, badarg}, erldrv {erldrv_badarg, Msg}).
%%   kind context: `c`, the C driver's binary control echo of the same payload, and
%%                 `context`, another way into C code with no erldrv side (a NIF, an
%%                 external port program), timed the same way for comparison.
%%
%% A target says where the calls go and how:
%%
%%   {control, Driver, Mode, Command}  erlang:port_control/3, Mode (list or binary) being
%%                                     the port's control reply mode
%%   {call, Driver, Command}           erlang:port_call/3
%%   {command, PortName}               erlang:port_command/2, then receiving the port's
%%                                     {Port, {data, Reply}}; PortName is a driver or the
%%                                     external program
%%   {nif, Module}                     Module:echo/1
%%
%% A new kind of target needs one clause in each of bind/2, once/2, loop/3 and describe/1;
%% the cases, the checks, the timing and the report take it as it is.
cases() ->
    Small = payload(22),
    Big = payload(65536),
    Add = {add, 12345, Small},
    Sum = {ok, 12345 + byte_size(Small)},
    Bad = {add, 12345, not_a_binary},
    [control_echo(control_echo_22B_list, list, Small),
     control_echo(control_echo_64KiB_list, list, Big),
     control_echo(control_echo_22B_binary, binary, Small),
     control_echo(control_echo_64KiB_binary, binary, Big),
     call_echo(call_echo_22B, Small),
     call_echo(call_echo_64KiB, Big),
     (pair(call_typed, Add, Sum, {call, ?C_DRV, ?CALL_ADD}, {call, ?TYPED_DRV, ?CALL_ADD}))
         #{reject => Bad},
     (pair(call_typed_rawterm, Add, Sum,
           {call, ?C_DRV, ?CALL_ADD}, {call, ?ERLDRV_DRV, ?CALL_ADD}))
         #{reject => Bad},
     outputv_echo(outputv_echo_22B, Small),
     outputv_echo(outputv_echo_64KiB, Big),
     context(nif_echo_22B, Small, {nif, ?NIF_MOD}),
     context(nif_echo_64KiB, Big, {nif, ?NIF_MOD}),
     context(packet_port_echo_22B, Small, {command, ?PACKET_PROGRAM}),
     context(packet_port_echo_64KiB, Big, {command, ?PACKET_PROGRAM})].

pair(Name, Arg, Expect, C, Erldrv) ->
    #{name => Name, kind => pair, arg => Arg, expect => Expect, c => C, erldrv => Erldrv}.

control_echo(Name, Mode, Data) ->
    Expect = case Mode of
                 list -> binary_to_list(Data);
                 binary -> Data
             end,
    pair(Name, Data, Expect,
         {control, ?C_DRV, Mode, ?CONTROL_ECHO}, {control, ?ERLDRV_DRV, Mode, ?CONTROL_ECHO}).

call_echo(Name, Data) ->
    pair(Name, Data, Data, {call, ?C_DRV, ?CALL_ECHO}, {call, ?ERLDRV_DRV, ?CALL_ECHO}).

%% port_command → outputv → driver_outputv, and the message back: one call is both.
outputv_echo(Name, Data) ->
    pair(Name, Data, Data, {command, ?C_DRV}, {command, ?ERLDRV_DRV}).

context(Name, Data, Target) ->
    #{name => Name, kind => context, arg => Data, expect => Data,
      c => {control, ?C_DRV, binary, ?CONTROL_ECHO}, context => Target}.

%% The side that is compared with the C driver, and its label in the results.
other(#{kind := pair, erldrv := Target}) -> {erldrv, Target};
other(#{kind := context, context := Target}) -> {context, Target}.

%% Size bytes that are not all alike.
payload(Size) ->
    list_to_binary([$a + I rem 26 || I <- lists:seq(0, Size - 1)]).

%% The entry point for `erl -eval`: runs, then halts with 0, or with 1 after printing why
%% the run failed.
main(Opts) ->
    try run(Opts) of
        ok -> halt(0)
    catch
        Class:Reason:Stack ->
            io:format(standard_error, "~nerldrv_bench failed: ~p:~p~n~p~n",
                      [Class, Reason, Stack]),
            halt(1)
    end.

%% Opts: driver_dir (where the drivers, the NIF library and the port program are), rounds,
%% round_ms, warmup_ms, and memory_calls (the memory test's calls per side).
run(#{driver_dir := Dir, rounds := Rounds, round_ms := RoundMs, warmup_ms := WarmupMs,
      memory_calls := MemoryCalls})
  when is_integer(Rounds), Rounds > 0, RoundMs > 0, WarmupMs > 0,
       is_integer(MemoryCalls), MemoryCalls > 0 ->
    Ports = maps:from_list([{Drv, open_driver(Dir, Drv)} || Drv <- ?DRIVERS]),
    Program = open_program(Dir, ?PACKET_PROGRAM),
    load_nif(Dir),
    Env = Ports#{?PACKET_PROGRAM => Program},
    Cases = cases(),
    emit("vm", vm_info()),
    emit("plan", [{cases, lists:join(",", [atom_to_list(N) || #{name := N} <- Cases])}]),
    %% Every reply is checked before anything is timed.
    lists:foreach(fun(Case) -> verify(Case, Env) end, Cases),
    Settings = {Rounds, RoundMs * 1000000, WarmupMs * 1000000},
    lists:foreach(fun(Case) -> run_case(Case, Env, Settings) end, Cases),
    memory_test(Env, MemoryCalls),
    port_close(Program),
    emit("done", []),
    ok.

open_driver(Dir, Drv) ->
    case erl_ddll:load_driver(Dir, Drv) of
        ok -> ok;
        {error, Reason} ->
            error({cannot_load, Drv, Dir, erl_ddll:format_error(Reason)})
    end,
    open_port({spawn_driver, Drv}, [binary]).

open_program(Dir, Name) ->
    open_port({spawn_executable, filename:join(Dir, Name)}, [{packet, 4}, binary]).

load_nif(Dir) ->
    case ?NIF_MOD:load(filename:join(Dir, ?NIF_LIB)) of
        ok -> ok;
        {error, Reason} -> error({cannot_load_nif, ?NIF_LIB, Dir, Reason})
    end.

vm_info() ->
    Release = erlang:system_info(otp_release),
    File = filename:join([code:root_dir(), "releases", Release, "OTP_VERSION"]),
    Otp = case file:read_file(File) of
              {ok, Text} -> string:trim(binary_to_list(Text));
              {error, _} -> Release
          end,
    [{otp, Otp},
     {erts, erlang:system_info(version)},
     {schedulers, erlang:system_info(schedulers_online)},
     {emu_flavor, erlang:system_info(emu_flavor)}].

verify(#{c := CTarget} = Case, Env) ->
    {Label, OtherTarget} = other(Case),
    check(Case, c, bind(CTarget, Env)),
    check(Case, Label, bind(OtherTarget, Env)).

run_case(#{name := Name, kind := Kind, arg := Arg, c := CTarget} = Case, Env,
         {Rounds, RoundNs, WarmupNs}) ->
    {Label, OtherTarget} = other(Case),
    C = bind(CTarget, Env),
    Other = bind(OtherTarget, Env),
    PerCall = max(warm_up(C, Arg, WarmupNs), warm_up(Other, Arg, WarmupNs)),
    N = max(1, round(RoundNs / PerCall)),
    Times = [round_pair(C, Other, Arg, N, R) || R <- lists:seq(1, Rounds)],
    {CNs, OtherNs} = lists:unzip(Times),
    emit("case", [{name, Name}, {kind, Kind}, {calls, N}]
                 ++ side_fields(c, CTarget, CNs)
                 ++ side_fields(Label, OtherTarget, OtherNs)),
    io:format(standard_error, "~s: ~b rounds of ~b calls per side~n", [Name, Rounds, N]).

side_fields(Label, Target, Times) ->
    Prefix = atom_to_list(Label) ++ "_",
    [{list_to_atom(Prefix ++ atom_to_list(K)), V}
     || {K, V} <- describe(Target) ++ [{ns, join_ints(Times)}]].

%% A target made ready to call: its port looked up, its control mode set.
bind({control, Drv, Mode, Command}, Env) ->
    Port = maps:get(Drv, Env),
    ModeCommand = case Mode of
                      list -> ?CONTROL_LIST;
                      binary -> ?CONTROL_BINARY
                  end,
    _ = erlang:port_control(Port, ModeCommand, <<>>),
    {control, Port, Command};
bind({call, Drv, Command}, Env) ->
    {call, maps:get(Drv, Env), Command};
bind({command, Name}, Env) ->
    {command, maps:get(Name, Env)};
bind({nif, Module}, _) ->
    {nif, Module}.

%% A target for the results: the operation, what it goes to, and the command, if any.
describe({control, Drv, Mode, Command}) ->
    [{op, "port_control:" ++ atom_to_list(Mode)}, {target, Drv}, {command, Command}];
describe({call, Drv, Command}) ->
    [{op, port_call}, {target, Drv}, {command, Command}];
describe({command, Name}) ->
    [{op, port_command}, {target, Name}, {command, none}];
describe({nif, Module}) ->
    [{op, nif}, {target, Module}, {command, none}].

%% A wrong reply aborts the whole run: its numbers would mean nothing.
check(#{name := Name, arg := Arg, expect := Expect} = Case, Which, Bound) ->
    case once(Bound, Arg) of
        Expect -> ok;
        Got -> error({wrong_reply, Name, Which, {expected, Expect}, {got, Got}})
    end,
    case Case of
        #{reject := Bad} ->
            case {Which, once(Bound, Bad)} of
                {c, {error, badarg}} -> ok;
                {erldrv, {erldrv_badarg, Msg}} when is_binary(Msg) -> ok;
                {_, Other} -> error({bad_argument_accepted, Name, Which, Bad, Other})
            end;
        #{} ->
            ok
    end.

%% One call, returning the reply.
once({control, Port, Command}, Arg) ->
    erlang:port_control(Port, Command, Arg);
once({call, Port, Command}, Arg) ->
    erlang:port_call(Port, Command, Arg);
once({command, Port}, Arg) ->
    true = erlang:port_command(Port, Arg),
    receive
        {Port, {data, Reply}} -> Reply
    after ?REPLY_TIMEOUT ->
        error({no_reply, Port})
    end;
once({nif, Module}, Arg) ->
    Module:echo(Arg).

%% Runs batches of doubling size until Budget ns have been spent; returns the time per
%% call of the last (largest) batch.
warm_up(Bound, Arg, Budget) ->
    warm_up(Bound, Arg, Budget, 1, 0).

warm_up(Bound, Arg, Budget, Batch, Spent) ->
    T = time_calls(Bound, Arg, Batch),
    case Spent + T >= Budget of
        true -> max(T, 1) / Batch;
        false -> warm_up(Bound, Arg, Budget, Batch * 2, Spent + T)
    end.

%% One round: both sides, in an order that alternates from round to round.
round_pair(C, Other, Arg, N, Round) when Round rem 2 =:= 1 ->
    TC = timed_round(C, Arg, N),
    TOther = timed_round(Other, Arg, N),
    {TC, TOther};
round_pair(C, Other, Arg, N, _) ->
    TOther = timed_round(Other, Arg, N),
    TC = timed_round(C, Arg, N),
    {TC, TOther}.

%% Starts each round with a fresh heap, so that one side does not pay for the other's
%% garbage.
timed_round(Bound, Arg, N) ->
    erlang:garbage_collect(),
    time_calls(Bound, Arg, N).

time_calls(Bound, Arg, N) ->
    T0 = erlang:monotonic_time(nanosecond),
    loop(Bound, Arg, N),
    erlang:monotonic_time(nanosecond) - T0.

%% One tight loop per kind of target, so that choosing the kind is not part of the time.
loop({control, Port, Command}, Arg, N) -> control_loop(Port, Command, Arg, N);
loop({call, Port, Command}, Arg, N) -> call_loop(Port, Command, Arg, N);
loop({command, Port}, Arg, N) -> command_loop(Port, Arg, N);
loop({nif, Module}, Arg, N) -> nif_loop(Module, Arg, N).

control_loop(_, _, _, 0) ->
    ok;
control_loop(Port, Command, Arg, N) ->
    _ = erlang:port_control(Port, Command, Arg),
    control_loop(Port, Command, Arg, N - 1).

call_loop(_, _, _, 0) ->
    ok;
call_loop(Port, Command, Arg, N) ->
    _ = erlang:port_call(Port, Command, Arg),
    call_loop(Port, Command, Arg, N - 1).

%% No timeout here: the replies were checked, and a timer per call would be timed too.
command_loop(_, _, 0) ->
    ok;
command_loop(Port, Arg, N) ->
    true = erlang:port_command(Port, Arg),
    receive
        {Port, {data, _}} -> ok
    end,
    command_loop(Port, Arg, N - 1).

nif_loop(_, _, 0) ->
    ok;
nif_loop(Module, Arg, N) ->
    _ = Module:echo(Arg),
    nif_loop(Module, Arg, N - 1).

%% Calls control echoes of MEMORY_BYTES bytes (list replies), Calls times on the erldrv
%% driver, then Calls times on the C driver, and reports for each the VM's memory before and
%% after: erlang:memory(total), and the resident set size where the OS says it (Linux). The
%% caller's heap is collected before each reading, so that its garbage does not count.
memory_test(Env, Calls) ->
    Arg = payload(?MEMORY_BYTES),
    Sides = [{erldrv, {control, ?ERLDRV_DRV, list, ?CONTROL_ECHO}},
             {c, {control, ?C_DRV, list, ?CONTROL_ECHO}}],
    Bound = [{Label, Target, bind(Target, Env)} || {Label, Target} <- Sides],
    [loop(B, Arg, min(Calls, ?MEMORY_WARMUP)) || {_, _, B} <- Bound],
    Results = [{Label, Target, memory_side(B, Arg, Calls)} || {Label, Target, B} <- Bound],
    %% Reported after both measurements, so that printing is not measured.
    [emit("memory", [{side, Label}] ++ describe(Target)
                    ++ [{bytes, ?MEMORY_BYTES}, {calls, Calls} | Fields])
     || {Label, Target, Fields} <- Results],
    io:format(standard_error, "memory: ~b control calls per side~n", [Calls]).

memory_side(Bound, Arg, Calls) ->
    erlang:garbage_collect(),
    Total0 = erlang:memory(total),
    Rss0 = rss(),
    Ns = time_calls(Bound, Arg, Calls),
    erlang:garbage_collect(),
    Total1 = erlang:memory(total),
    Rss1 = rss(),
    [{ns, Ns}, {total_before, Total0}, {total_after, Total1},
     {rss_before, Rss0}, {rss_after, Rss1}].

%% The VM's resident set size in bytes (VmRSS in /proc/<pid>/status, so Linux only), or
%% `unavailable`.
rss() ->
    case file:read_file("/proc/" ++ os:getpid() ++ "/status") of
        {ok, Status} ->
            case re:run(Status, "VmRSS:\\s*([0-9]+) kB", [{capture, all_but_first, list}]) of
                {match, [Kb]} -> list_to_integer(Kb) * 1024;
                nomatch -> unavailable
            end;
        {error, _} ->
            unavailable
    end.

join_ints(Ints) ->
    lists:join(",", [integer_to_list(I) || I <- Ints]).

%% One result line: `erldrv-bench Kind key=value ...`; no value contains a space.
emit(Kind, Fields) ->
    io:format("erldrv-bench ~s~s~n",
              [Kind, [[" ", atom_to_list(K), "=", value(V)] || {K, V} <- Fields]]).

value(V) when is_atom(V) -> atom_to_list(V);
value(V) when is_integer(V) -> integer_to_list(V);
value(V) -> V.
