%% The measuring half of `cargo xtask bench`: hand-written C drivers against erldrv drivers
%% doing the same work, in one VM.
%%
%% run/1 loads every driver from one directory, the C NIF, and starts the external port
%% program; it opens one port per driver, and checks the replies of both sides of every case
%% of cases/0 once (a wrong reply aborts the run). Then, case by case, it warms both sides
%% up, picks a call count N so that the slower side's round takes about RoundMs, and times
%% Rounds rounds of N calls per side, the two sides interleaved (C, other, then other, C, and
%% so on, so that neither always runs first). Then the throughput of many callers sharing
%% one port with CPU jobs of about 50 µs (throughput/4), the CPU the VM's threads use while
%% it is idle (idle/1), and last the memory test: many control calls on one driver of each
%% side, with the VM's memory measured before and after.
%%
%% Results go to standard output as `erldrv-bench ...` lines, read by the xtask, which does
%% the statistics; progress goes to standard error.
-module(erldrv_bench).
-export([main/1, run/1, cases/0]).

-define(C_DRV, "c_bench_drv").
-define(ERLDRV_DRV, "erldrv_bench_drv").
-define(TYPED_DRV, "erldrv_typed_drv").
%% Typed commands (#[command]), called through the client erldrv_gen generates from the
%% driver when the run starts (CLIENT).
-define(COMMANDS_DRV, "erldrv_commands_drv").
-define(CLIENT, erldrv_bench_client).
%% The hand-written module the typed command rows compare the client with.
-define(WRAPPER, erldrv_bench_wrapper).
%% The async drivers: work on a thread that is not a scheduler, the reply by message.
-define(C_ASYNC_DRV, "c_async_drv").
%% A hand-written C pool replying from its own threads: context for the throughput test.
-define(C_POOL_DRV, "c_pool_drv").
-define(ERLDRV_ASYNC_DRV, "erldrv_async_drv").
-define(DRIVERS, [?C_DRV, ?ERLDRV_DRV, ?TYPED_DRV, ?COMMANDS_DRV, ?C_ASYNC_DRV,
                  ?C_POOL_DRV, ?ERLDRV_ASYNC_DRV]).
%% The context rows' C code: a NIF library (with its Erlang module) and a port program.
-define(NIF_LIB, "c_bench_nif").
-define(NIF_MOD, erldrv_bench_nif).
-define(PACKET_PROGRAM, "packet_echo").
%% The async context: one gen_server owning a port of the C async driver (its key in the
%% environment of bind/2).
-define(SERVER_MOD, erldrv_bench_server).
-define(SERVER, gen_server).

%% Commands, the same numbers in every driver.
-define(CONTROL_ECHO, 0).
-define(CONTROL_BINARY, 1).
-define(CONTROL_LIST, 2).
-define(CALL_ECHO, 0).
-define(CALL_ADD, 1).
%% The async drivers' commands (port_control for C, erldrv:request for erldrv): an echo,
%% and the CPU job of benches/c/bench_job.h (argument <<Iterations:32>>, reply
%% <<Result:64>>). The erldrv driver also times the job's loop (reply: nanoseconds), so
%% that the run can show that the Rust loop takes as long as the C one, and says how many
%% workers its pool runs.
-define(ASYNC_ECHO, 1).
-define(ASYNC_JOB, 2).
-define(ASYNC_JOB_NS, 3).
-define(ASYNC_WORKERS, 4).

%% The CPU job: about this long, in nanoseconds ...
-define(JOB_NS, 50000).
%% ... for these numbers of callers sharing one port.
-define(CALLERS, [1, 2, 4, 8, 16]).
%% The job's loop, as in bench_job.h, for checking every side's result.
-define(JOB_SEED, 16#9e3779b97f4a7c15).
-define(JOB_FACTOR, 16#bf58476d1ce4e5b9).

%% The idle test: how long the VM settles after the last job, then how long its threads'
%% CPU time is watched, in milliseconds.
-define(IDLE_SETTLE_MS, 200).
-define(IDLE_WINDOW_MS, 500).

%% The payload of the memory test's control calls.
-define(MEMORY_BYTES, 22).
%% Calls per side before the memory test's first measurement, so that neither side pays
%% for the allocators settling.
-define(MEMORY_WARMUP, 100000).

%% How long a check waits for a port's message before calling the reply missing; also every
%% async call's timeout (the C driver's receive, erldrv:request/4, gen_server:call/3), timed
%% on every side alike because callers of such APIs set one.
-define(REPLY_TIMEOUT, 5000).

%% The cases. Each is a map with a name, a kind, the argument, the reply both sides must
%% give, and the two sides, each a target (below):
%%
%%   kind pair:    `c` (the C driver) and `erldrv` (the erldrv driver with the same logic);
%%                 optionally `reject`, an argument both sides must refuse, each in its own
%%                 way (the C driver replies {error, badarg}, erldrv {erldrv_badarg, Msg}).
%%   kind versus:  `c` is no C code here but erldrv's hand-written way to the same work
%%                 (today's reference: a hand-written wrapper module's function around
%%                 port_call or port_control, as an application calls a driver today),
%%                 and `erldrv` the generated command client's function: what a typed
%%                 command costs over the call it replaces.
%%   kind context: `c`, the C driver's binary control echo of the same payload, and
%%                 `context`, another way into C code with no erldrv side (a NIF, an
%%                 external port program), timed the same way for comparison.
%%
%% and a group: `sync` (the reply comes back from the call itself), or `async` (the work
%% runs on a thread that is not a scheduler and the reply comes by message; the C side is
%% then the C async driver, also for the context rows).
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
%%   {async, Driver, Command}          erlang:port_control/3, then receiving the port's
%%                                     {Port, Reply} (the C async driver)
%%   {request, Driver, Command}        erldrv:request/4, {ok, Reply} (the erldrv pool)
%%   {server, Command}                 erldrv_bench_server:call/4: a gen_server doing the
%%                                     first kind for its callers
%%   {dirty_nif, Module, Function}     Module:Function/1, a NIF on a dirty CPU scheduler
%%   {client, Driver, Function}        ?CLIENT:Function(Port, ...), the generated client's
%%                                     function of a command (add: the argument tuple's
%%                                     elements as its arguments; echo: the data)
%%   {wrapper, Driver, Function}       ?WRAPPER:Function(Port, ...), the same functions
%%                                     written by hand around port_call (add, the typed
%%                                     driver's call) and port_control (echo, the binary
%%                                     control echo)
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
     %% A generated command's call against the hand-written call it replaces.
     versus(command_add_vs_call_typed, Add, Sum,
            {wrapper, ?TYPED_DRV, add}, {client, ?COMMANDS_DRV, add}),
     versus(command_bytes_22B_vs_control_echo, Small, Small,
            {wrapper, ?ERLDRV_DRV, echo}, {client, ?COMMANDS_DRV, echo}),
     outputv_echo(outputv_echo_22B, Small),
     outputv_echo(outputv_echo_64KiB, Big),
     context(nif_echo_22B, Small, {nif, ?NIF_MOD}),
     context(nif_echo_64KiB, Big, {nif, ?NIF_MOD}),
     context(packet_port_echo_22B, Small, {command, ?PACKET_PROGRAM}),
     context(packet_port_echo_64KiB, Big, {command, ?PACKET_PROGRAM}),
     %% Request -> work on another thread -> reply in the caller, one caller at a time.
     (pair(async_roundtrip_22B, Small, Small,
           {async, ?C_ASYNC_DRV, ?ASYNC_ECHO}, {request, ?ERLDRV_ASYNC_DRV, ?ASYNC_ECHO}))
         #{group => async},
     async_context(gen_server_async_roundtrip_22B, Small, {server, ?ASYNC_ECHO}),
     async_context(dirty_nif_roundtrip_22B, Small, {dirty_nif, ?NIF_MOD, dirty_echo})].

pair(Name, Arg, Expect, C, Erldrv) ->
    #{name => Name, kind => pair, group => sync, arg => Arg, expect => Expect, c => C,
      erldrv => Erldrv}.

versus(Name, Arg, Expect, Reference, Command) ->
    (pair(Name, Arg, Expect, Reference, Command))#{kind => versus}.

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
    #{name => Name, kind => context, group => sync, arg => Data, expect => Data,
      c => {control, ?C_DRV, binary, ?CONTROL_ECHO}, context => Target}.

%% Compared with the C async driver's echo of the same payload.
async_context(Name, Data, Target) ->
    #{name => Name, kind => context, group => async, arg => Data, expect => Data,
      c => {async, ?C_ASYNC_DRV, ?ASYNC_ECHO}, context => Target}.

%% The side that is compared with the C driver, and its label in the results.
other(#{kind := pair, erldrv := Target}) -> {erldrv, Target};
other(#{kind := versus, erldrv := Target}) -> {erldrv, Target};
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
    %% The threads the VM starts with, before any driver can start one of its own.
    VmThreads = thread_times(),
    %% Before the drivers are loaded: erldrv_gen loads its driver its own way, then unloads it.
    load_client(Dir),
    Ports = maps:from_list([{Drv, open_driver(Dir, Drv)} || Drv <- ?DRIVERS]),
    Program = open_program(Dir, ?PACKET_PROGRAM),
    load_nif(Dir),
    {ok, Server} = ?SERVER_MOD:start_link(?C_ASYNC_DRV, ?REPLY_TIMEOUT),
    Env = Ports#{?PACKET_PROGRAM => Program, ?SERVER => Server},
    Cases = cases(),
    emit("vm", vm_info()),
    load("start"),
    emit("plan", [{cases, lists:join(",", [atom_to_list(N) || #{name := N} <- Cases])}]),
    %% Every reply is checked before anything is timed.
    lists:foreach(fun(Case) -> verify(Case, Env) end, Cases),
    Iterations = calibrate_job(Env),
    Job = job_sides(),
    lists:foreach(fun(Side) -> verify_job(Side, Iterations, Env) end, Job),
    Settings = {Rounds, RoundMs * 1000000, WarmupMs * 1000000},
    lists:foreach(fun(Case) -> run_case(Case, Env, Settings) end, Cases),
    throughput(Job, <<Iterations:32>>, Env, Settings),
    idle(VmThreads),
    memory_test(Env, MemoryCalls),
    ?SERVER_MOD:stop(Server),
    port_close(Program),
    load("end"),
    emit("done", []),
    ok.

open_driver(Dir, Drv) ->
    case erl_ddll:load_driver(Dir, Drv) of
        ok -> ok;
        {error, Reason} ->
            error({cannot_load, Drv, Dir, erl_ddll:format_error(Reason)})
    end,
    open_port({spawn_driver, Drv}, [binary]).

%% Generates the client of the commands driver with erldrv_gen (into Dir), and loads it.
load_client(Dir) ->
    Out = filename:join(Dir, atom_to_list(?CLIENT) ++ ".erl"),
    {ok, _} = erldrv_gen:generate(#{driver_dir => Dir, driver => ?COMMANDS_DRV,
                                    app => erldrv_bench, language => erlang,
                                    module => ?CLIENT, out => Out}),
    {ok, ?CLIENT, Beam} = compile:file(Out, [binary, report]),
    {module, ?CLIENT} = code:load_binary(?CLIENT, Out, Beam),
    ok.

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
     {emu_flavor, erlang:system_info(emu_flavor)},
     {async_threads, erlang:system_info(thread_pool_size)},
     {dirty_cpu_schedulers, erlang:system_info(dirty_cpu_schedulers_online)}].

verify(#{c := CTarget} = Case, Env) ->
    {Label, OtherTarget} = other(Case),
    check(Case, c, bind(CTarget, Env)),
    check(Case, Label, bind(OtherTarget, Env)).

run_case(#{name := Name, kind := Kind, group := Group, arg := Arg, c := CTarget} = Case,
         Env, {Rounds, RoundNs, WarmupNs}) ->
    {Label, OtherTarget} = other(Case),
    C = bind(CTarget, Env),
    Other = bind(OtherTarget, Env),
    PerCall = max(warm_up(C, Arg, WarmupNs), warm_up(Other, Arg, WarmupNs)),
    N = max(1, round(RoundNs / PerCall)),
    Timed = case Group of
                sync -> fun timed_round/3;
                async -> fun timed_round_apart/3
            end,
    Times = [round_pair(Timed, C, Other, Arg, N, R) || R <- lists:seq(1, Rounds)],
    {CNs, OtherNs} = lists:unzip(Times),
    emit("case", [{name, Name}, {kind, Kind}, {group, Group}, {calls, N}]
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
    {nif, Module};
bind({async, Drv, Command}, Env) ->
    {async, maps:get(Drv, Env), Command};
bind({request, Drv, Command}, Env) ->
    {request, maps:get(Drv, Env), Command};
bind({server, Command}, Env) ->
    {server, maps:get(?SERVER, Env), Command};
bind({dirty_nif, Module, Function}, _) ->
    {dirty_nif, Module, Function};
bind({client, Drv, Function}, Env) ->
    {client, maps:get(Drv, Env), Function};
bind({wrapper, Drv, echo}, Env) ->
    Port = maps:get(Drv, Env),
    _ = erlang:port_control(Port, ?CONTROL_BINARY, <<>>),
    {wrapper, Port, echo};
bind({wrapper, Drv, Function}, Env) ->
    {wrapper, maps:get(Drv, Env), Function}.

%% A target for the results: the operation, what it goes to, and the command, if any.
describe({control, Drv, Mode, Command}) ->
    [{op, "port_control:" ++ atom_to_list(Mode)}, {target, Drv}, {command, Command}];
describe({call, Drv, Command}) ->
    [{op, port_call}, {target, Drv}, {command, Command}];
describe({command, Name}) ->
    [{op, port_command}, {target, Name}, {command, none}];
describe({nif, Module}) ->
    [{op, nif}, {target, Module}, {command, none}];
describe({async, Drv, Command}) ->
    [{op, "port_control+receive"}, {target, Drv}, {command, Command}];
describe({request, Drv, Command}) ->
    [{op, "erldrv:request"}, {target, Drv}, {command, Command}];
describe({server, Command}) ->
    [{op, "gen_server:call"}, {target, ?SERVER_MOD}, {command, Command}];
describe({dirty_nif, Module, Function}) ->
    [{op, "dirty_nif:" ++ atom_to_list(Function)}, {target, Module}, {command, none}];
describe({client, Drv, Function}) ->
    [{op, "client:" ++ atom_to_list(Function)}, {target, Drv}, {command, none}];
describe({wrapper, Drv, Function}) ->
    [{op, "wrapper:" ++ atom_to_list(Function)}, {target, Drv}, {command, none}].

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
    Module:echo(Arg);
once({async, Port, Command}, Arg) ->
    [] = erlang:port_control(Port, Command, Arg),
    receive
        {Port, Reply} -> Reply
    after ?REPLY_TIMEOUT ->
        error({no_reply, Port})
    end;
once({request, Port, Command}, Arg) ->
    case erldrv:request(Port, Command, Arg, ?REPLY_TIMEOUT) of
        {ok, Reply} -> Reply;
        Other -> error({request_failed, Port, Other})
    end;
once({server, Server, Command}, Arg) ->
    ?SERVER_MOD:call(Server, Command, Arg, ?REPLY_TIMEOUT);
once({dirty_nif, Module, Function}, Arg) ->
    Module:Function(Arg);
once({client, Port, add}, {Op, I, Bin}) ->
    ?CLIENT:add(Port, Op, I, Bin);
once({client, Port, echo}, Data) ->
    ?CLIENT:echo(Port, Data);
once({wrapper, Port, add}, {Op, I, Bin}) ->
    ?WRAPPER:add(Port, Op, I, Bin);
once({wrapper, Port, echo}, Data) ->
    ?WRAPPER:echo(Port, Data).

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
round_pair(Timed, C, Other, Arg, N, Round) when Round rem 2 =:= 1 ->
    TC = Timed(C, Arg, N),
    TOther = Timed(Other, Arg, N),
    {TC, TOther};
round_pair(Timed, C, Other, Arg, N, _) ->
    TOther = Timed(Other, Arg, N),
    TC = Timed(C, Arg, N),
    {TC, TOther}.

%% Starts each round with a fresh heap, so that one side does not pay for the other's
%% garbage.
timed_round(Bound, Arg, N) ->
    erlang:garbage_collect(),
    time_calls(Bound, Arg, N).

%% An async round, in a new process (so with a fresh heap too). The reply comes by message,
%% and how long it takes to reach the caller depends on which of the two schedulers the
%% caller and the port are on, which stays as it is while one process keeps calling. A new
%% caller each round lets every round land where it may, rather than one placement decide
%% a side's whole case.
timed_round_apart(Bound, Arg, N) ->
    {Pid, Ref} = spawn_monitor(fun() -> exit({time, time_calls(Bound, Arg, N)}) end),
    receive
        {'DOWN', Ref, process, Pid, {time, T}} -> T;
        {'DOWN', Ref, process, Pid, Reason} -> error({round_failed, Reason})
    end.

time_calls(Bound, Arg, N) ->
    T0 = erlang:monotonic_time(nanosecond),
    loop(Bound, Arg, N),
    erlang:monotonic_time(nanosecond) - T0.

%% One tight loop per kind of target, so that choosing the kind is not part of the time.
loop({control, Port, Command}, Arg, N) -> control_loop(Port, Command, Arg, N);
loop({call, Port, Command}, Arg, N) -> call_loop(Port, Command, Arg, N);
loop({command, Port}, Arg, N) -> command_loop(Port, Arg, N);
loop({nif, Module}, Arg, N) -> nif_loop(Module, Arg, N);
loop({async, Port, Command}, Arg, N) -> async_loop(Port, Command, Arg, N);
loop({request, Port, Command}, Arg, N) -> request_loop(Port, Command, Arg, N);
loop({server, Server, Command}, Arg, N) -> server_loop(Server, Command, Arg, N);
loop({dirty_nif, Module, Function}, Arg, N) -> dirty_nif_loop(Module, Function, Arg, N);
loop({client, Port, add}, {Op, I, Bin}, N) -> client_add_loop(Port, Op, I, Bin, N);
loop({client, Port, echo}, Arg, N) -> client_echo_loop(Port, Arg, N);
loop({wrapper, Port, add}, {Op, I, Bin}, N) -> wrapper_add_loop(Port, Op, I, Bin, N);
loop({wrapper, Port, echo}, Arg, N) -> wrapper_echo_loop(Port, Arg, N).

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

%% The generated client's functions, called as an application calls them.
client_add_loop(_, _, _, _, 0) ->
    ok;
client_add_loop(Port, Op, I, Bin, N) ->
    _ = ?CLIENT:add(Port, Op, I, Bin),
    client_add_loop(Port, Op, I, Bin, N - 1).

client_echo_loop(_, _, 0) ->
    ok;
client_echo_loop(Port, Arg, N) ->
    _ = ?CLIENT:echo(Port, Arg),
    client_echo_loop(Port, Arg, N - 1).

%% The same functions written by hand (the typed command rows' reference).
wrapper_add_loop(_, _, _, _, 0) ->
    ok;
wrapper_add_loop(Port, Op, I, Bin, N) ->
    _ = ?WRAPPER:add(Port, Op, I, Bin),
    wrapper_add_loop(Port, Op, I, Bin, N - 1).

wrapper_echo_loop(_, _, 0) ->
    ok;
wrapper_echo_loop(Port, Arg, N) ->
    _ = ?WRAPPER:echo(Port, Arg),
    wrapper_echo_loop(Port, Arg, N - 1).

nif_loop(_, _, 0) ->
    ok;
nif_loop(Module, Arg, N) ->
    _ = Module:echo(Arg),
    nif_loop(Module, Arg, N - 1).

%% The async loops wait with the same timeout (?REPLY_TIMEOUT) on every side: the C side's
%% receive, erldrv:request/4 and gen_server:call/3 each set one, as their callers would.
async_loop(_, _, _, 0) ->
    ok;
async_loop(Port, Command, Arg, N) ->
    _ = erlang:port_control(Port, Command, Arg),
    receive
        {Port, _} -> ok
    after ?REPLY_TIMEOUT ->
        error({no_reply, Port})
    end,
    async_loop(Port, Command, Arg, N - 1).

request_loop(_, _, _, 0) ->
    ok;
request_loop(Port, Command, Arg, N) ->
    {ok, _} = erldrv:request(Port, Command, Arg, ?REPLY_TIMEOUT),
    request_loop(Port, Command, Arg, N - 1).

server_loop(_, _, _, 0) ->
    ok;
server_loop(Server, Command, Arg, N) ->
    _ = ?SERVER_MOD:call(Server, Command, Arg, ?REPLY_TIMEOUT),
    server_loop(Server, Command, Arg, N - 1).

dirty_nif_loop(_, _, _, 0) ->
    ok;
dirty_nif_loop(Module, Function, Arg, N) ->
    _ = Module:Function(Arg),
    dirty_nif_loop(Module, Function, Arg, N - 1).

%% The sides of the throughput test, each with its label in the results: the C async driver,
%% a C driver with its own pool replying from its threads, the gen_server in front of the C
%% async driver, the dirty NIF, and the erldrv pool.
job_sides() ->
    [{c, {async, ?C_ASYNC_DRV, ?ASYNC_JOB}},
     {c_pool, {async, ?C_POOL_DRV, ?ASYNC_JOB}},
     {gen_server, {server, ?ASYNC_JOB}},
     {dirty_nif, {dirty_nif, ?NIF_MOD, job}},
     {erldrv, {request, ?ERLDRV_ASYNC_DRV, ?ASYNC_JOB}}].

%% Picks the job's size: the iterations that take ?JOB_NS in the C loop, timed around the
%% loop alone (the fastest of several runs, so that an interrupted one does not count).
%% Reports it with the time of both loops, C and Rust, at that size, and the number of
%% workers of the erldrv pool (running once it has had a job).
calibrate_job(Env) ->
    Probe = 20000,
    Iterations = max(1, round(Probe * ?JOB_NS / fastest(fun() -> ?NIF_MOD:job_ns(Probe) end))),
    CNs = fastest(fun() -> ?NIF_MOD:job_ns(Iterations) end),
    Port = maps:get(?ERLDRV_ASYNC_DRV, Env),
    RustNs = fastest(fun() -> once({request, Port, ?ASYNC_JOB_NS}, <<Iterations:32>>) end),
    Workers = once({request, Port, ?ASYNC_WORKERS}, <<>>),
    emit("job", [{iterations, Iterations}, {target_ns, ?JOB_NS}, {c_ns, CNs},
                 {erldrv_ns, RustNs}, {erldrv_workers, Workers}]),
    io:format(standard_error, "job: ~b iterations, C loop ~.1f us, Rust loop ~.1f us~n",
              [Iterations, CNs / 1000, RustNs / 1000]),
    Iterations.

fastest(Fun) ->
    lists:min([Fun() || _ <- lists:seq(1, 15)]).

%% Every side's job must give what the loop gives in Erlang.
verify_job({Label, Target}, Iterations, Env) ->
    Expect = <<(job_reference(Iterations)):64>>,
    case once(bind(Target, Env), <<Iterations:32>>) of
        Expect -> ok;
        Got -> error({wrong_job_result, Label, {expected, Expect}, {got, Got}})
    end.

job_reference(Iterations) ->
    job_reference(?JOB_SEED, Iterations).

job_reference(X, 0) ->
    X;
job_reference(X, N) ->
    Y = X bxor (X bsr 29),
    job_reference((Y * ?JOB_FACTOR) band 16#ffffffffffffffff, N - 1).

%% Callers sharing one port (or the gen_server, or the dirty NIF), each doing its jobs one
%% after the other, for each number in ?CALLERS. For every side and number of callers, a
%% warm-up picks the jobs per caller so that a round takes about RoundNs; then every round
%% times, for each number of callers, every side once, the order of the sides turning from
%% round to round. A round's time runs from the first `go` to the last caller's exit; the
%% callers are spawned before it.
throughput(Sides, Arg, Env, {Rounds, RoundNs, WarmupNs}) ->
    Bound = [{Label, Target, bind(Target, Env)} || {Label, Target} <- Sides],
    Plan = [{{Label, Callers},
             jobs_per_caller(B, Arg, Callers, RoundNs, WarmupNs)}
            || Callers <- ?CALLERS, {Label, _, B} <- Bound],
    Jobs = maps:from_list(Plan),
    Times = [{{Label, Callers}, R,
              timed_callers(B, Arg, Callers, maps:get({Label, Callers}, Jobs))}
             || R <- lists:seq(1, Rounds),
                Callers <- ?CALLERS,
                {Label, _, B} <- turn(Bound, R)],
    [emit("throughput", [{side, Label}] ++ describe(Target)
                        ++ [{callers, Callers},
                            {jobs, Callers * maps:get({Label, Callers}, Jobs)},
                            {ns, join_ints([T || {Cell, _, T} <- Times,
                                                 Cell =:= {Label, Callers}])}])
     || Callers <- ?CALLERS, {Label, Target, _} <- Bound],
    io:format(standard_error, "throughput: ~b rounds of ~b sides x ~w callers~n",
              [Rounds, length(Sides), ?CALLERS]).

%% The list turned left by Round places.
turn(List, Round) ->
    {Front, Back} = lists:split(Round rem length(List), List),
    Back ++ Front.

%% Doubles the jobs per caller until the warm-up has spent Budget ns, then sizes a round.
jobs_per_caller(Bound, Arg, Callers, RoundNs, Budget) ->
    jobs_per_caller(Bound, Arg, Callers, RoundNs, Budget, 1, 0).

jobs_per_caller(Bound, Arg, Callers, RoundNs, Budget, Each, Spent) ->
    T = max(1, timed_callers(Bound, Arg, Callers, Each)),
    case Spent + T >= Budget of
        true -> max(1, round(RoundNs * Each / T));
        false -> jobs_per_caller(Bound, Arg, Callers, RoundNs, Budget, Each * 2, Spent + T)
    end.

%% Callers processes doing Each jobs each; the time from the start signal to the last exit.
timed_callers(Bound, Arg, Callers, Each) ->
    Pids = [spawn_monitor(fun() ->
                                  receive go -> ok end,
                                  loop(Bound, Arg, Each)
                          end)
            || _ <- lists:seq(1, Callers)],
    erlang:garbage_collect(),
    T0 = erlang:monotonic_time(nanosecond),
    [Pid ! go || {Pid, _} <- Pids],
    [receive
         {'DOWN', Ref, process, Pid, normal} -> ok;
         {'DOWN', Ref, process, Pid, Reason} -> error({caller_failed, Reason})
     end || {Pid, Ref} <- Pids],
    erlang:monotonic_time(nanosecond) - T0.

%% Whether threads sleep when there is no work: after the last job and a pause, each
%% thread's time on a CPU and its number of times put on one (/proc/<pid>/task/*/schedstat,
%% Linux only) over a quiet window. Reported per thread, with whether the VM started it
%% (the driver's threads are the others).
idle(VmThreads) ->
    timer:sleep(?IDLE_SETTLE_MS),
    Before = thread_times(),
    timer:sleep(?IDLE_WINDOW_MS),
    After = thread_times(),
    Threads = [{Tid, Name, Cpu1 - Cpu0, Runs1 - Runs0}
               || {Tid, {Name, Cpu1, Runs1}} <- maps:to_list(After),
                  {_, Cpu0, Runs0} <- [maps:get(Tid, Before, {Name, 0, 0})]],
    emit("idle", [{window_ns, ?IDLE_WINDOW_MS * 1000000},
                  {threads, lists:join(",", [[Name, ":", vm_or_driver(Tid, VmThreads), ":",
                                              integer_to_list(Cpu), ":",
                                              integer_to_list(Runs)]
                                             || {Tid, Name, Cpu, Runs} <- Threads])}]).

vm_or_driver(Tid, VmThreads) ->
    case maps:is_key(Tid, VmThreads) of
        true -> "vm";
        false -> "driver"
    end.

%% The machine's load average over the last minute (/proc/loadavg, Linux only): other work
%% on a 2-core machine slows the async and throughput rows most, as their threads wait for
%% a CPU.
load(When) ->
    Load = case file:read_file("/proc/loadavg") of
               {ok, Text} -> hd(string:lexemes(binary_to_list(Text), " "));
               {error, _} -> unavailable
           end,
    emit("load", [{'at', When}, {one_minute, Load}]).

%% Tid => {Name, CpuNs, Runs} for each thread of the VM; empty where /proc does not say.
thread_times() ->
    Dir = "/proc/" ++ os:getpid() ++ "/task",
    case file:list_dir(Dir) of
        {ok, Tids} -> maps:from_list(lists:filtermap(fun(Tid) -> thread_time(Dir, Tid) end,
                                                     Tids));
        {error, _} -> #{}
    end.

thread_time(Dir, Tid) ->
    case {file:read_file(filename:join([Dir, Tid, "schedstat"])),
          file:read_file(filename:join([Dir, Tid, "comm"]))} of
        {{ok, Stat}, {ok, Comm}} ->
            [Cpu, _Waited, Runs | _] = string:lexemes(string:trim(Stat), " "),
            %% A name with neither spaces nor the separators of the result line.
            Name = [case C of
                        $\s -> $_;
                        $, -> $_;
                        $: -> $_;
                        $= -> $_;
                        C -> C
                    end || C <- string:trim(binary_to_list(Comm))],
            {true, {Tid, {Name, binary_to_integer(Cpu), binary_to_integer(Runs)}}};
        _ ->
            false
    end.

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
