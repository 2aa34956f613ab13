%% The measuring half of `cargo xtask bench`: hand-written C drivers against erldrv drivers
%% doing the same work, in one VM.
%%
%% run/1 loads every driver from one directory, opens one port per driver, and checks both
%% sides' replies in every case of cases/0 once (a wrong reply aborts the run). Then, case by
%% case, it warms both sides up, picks a call count N so that one side's round takes about
%% RoundMs, and times Rounds rounds of N calls per side, the two sides interleaved (C, erldrv,
%% then erldrv, C, and so on, so that neither always runs first).
%%
%% Results go to standard output as `erldrv-bench ...` lines, read by the xtask, which does
%% the statistics; progress goes to standard error.
-module(erldrv_bench).
-export([main/1, run/1, cases/0]).

-define(C_DRV, "c_bench_drv").
-define(ERLDRV_DRV, "erldrv_bench_drv").
-define(TYPED_DRV, "erldrv_typed_drv").
-define(DRIVERS, [?C_DRV, ?ERLDRV_DRV, ?TYPED_DRV]).

%% Commands, the same numbers in every driver.
-define(CONTROL_ECHO, 0).
-define(CONTROL_BINARY, 1).
-define(CONTROL_LIST, 2).
-define(CALL_ECHO, 0).
-define(CALL_ADD, 1).

%% The cases. Each names its operation (`control` or `call`), the argument, the reply both
%% sides must give, and each side's {Driver, Command}. Optional: `mode` (the control reply
%% mode, set on both ports first) and `reject`, an argument both sides must refuse, each in
%% its own way (the C driver replies {error, badarg}, erldrv {erldrv_badarg, Message}).
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
     #{name => call_echo_22B, op => call, arg => Small, expect => Small,
       c => {?C_DRV, ?CALL_ECHO}, erldrv => {?ERLDRV_DRV, ?CALL_ECHO}},
     #{name => call_typed, op => call, arg => Add, expect => Sum, reject => Bad,
       c => {?C_DRV, ?CALL_ADD}, erldrv => {?TYPED_DRV, ?CALL_ADD}},
     #{name => call_typed_rawterm, op => call, arg => Add, expect => Sum, reject => Bad,
       c => {?C_DRV, ?CALL_ADD}, erldrv => {?ERLDRV_DRV, ?CALL_ADD}}].

control_echo(Name, Mode, Data) ->
    Expect = case Mode of
                 list -> binary_to_list(Data);
                 binary -> Data
             end,
    #{name => Name, op => control, mode => Mode, arg => Data, expect => Expect,
      c => {?C_DRV, ?CONTROL_ECHO}, erldrv => {?ERLDRV_DRV, ?CONTROL_ECHO}}.

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

%% Opts: driver_dir (where the drivers are), rounds, round_ms and warmup_ms.
run(#{driver_dir := Dir, rounds := Rounds, round_ms := RoundMs, warmup_ms := WarmupMs})
  when is_integer(Rounds), Rounds > 0, RoundMs > 0, WarmupMs > 0 ->
    Ports = maps:from_list([{Drv, open(Dir, Drv)} || Drv <- ?DRIVERS]),
    Cases = cases(),
    emit("vm", vm_info()),
    emit("plan", [{cases, lists:join(",", [atom_to_list(N) || #{name := N} <- Cases])}]),
    %% Every reply is checked before anything is timed.
    lists:foreach(fun(Case) -> verify(Case, Ports) end, Cases),
    Settings = {Rounds, RoundMs * 1000000, WarmupMs * 1000000},
    lists:foreach(fun(Case) -> run_case(Case, Ports, Settings) end, Cases),
    emit("done", []),
    ok.

open(Dir, Drv) ->
    case erl_ddll:load_driver(Dir, Drv) of
        ok -> ok;
        {error, Reason} ->
            error({cannot_load, Drv, Dir, erl_ddll:format_error(Reason)})
    end,
    open_port({spawn_driver, Drv}, [binary]).

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

verify(#{c := CSide, erldrv := ESide} = Case, Ports) ->
    C = side(CSide, Ports),
    E = side(ESide, Ports),
    set_mode(Case, [C, E]),
    check(Case, c, C),
    check(Case, erldrv, E).

run_case(#{name := Name, op := Op, arg := Arg, c := CSide, erldrv := ESide} = Case,
         Ports, {Rounds, RoundNs, WarmupNs}) ->
    C = side(CSide, Ports),
    E = side(ESide, Ports),
    set_mode(Case, [C, E]),
    PerCall = (warm_up(Op, C, Arg, WarmupNs) + warm_up(Op, E, Arg, WarmupNs)) / 2,
    N = max(1, round(RoundNs / PerCall)),
    Times = [round_pair(Op, C, E, Arg, N, R) || R <- lists:seq(1, Rounds)],
    {CNs, ENs} = lists:unzip(Times),
    {CDrv, CCmd} = CSide,
    {EDrv, ECmd} = ESide,
    emit("case", [{name, Name}, {calls, N},
                  {c_driver, CDrv}, {c_command, CCmd},
                  {erldrv_driver, EDrv}, {erldrv_command, ECmd},
                  {c_ns, join_ints(CNs)}, {erldrv_ns, join_ints(ENs)}]),
    io:format(standard_error, "~s: ~b rounds of ~b calls per side~n", [Name, Rounds, N]).

side({Drv, Command}, Ports) -> {maps:get(Drv, Ports), Command}.

set_mode(#{mode := Mode}, Sides) ->
    Command = case Mode of
                  list -> ?CONTROL_LIST;
                  binary -> ?CONTROL_BINARY
              end,
    [erlang:port_control(Port, Command, <<>>) || {Port, _} <- Sides],
    ok;
set_mode(_, _) ->
    ok.

%% A wrong reply aborts the whole run: its numbers would mean nothing.
check(#{name := Name, op := Op, arg := Arg, expect := Expect} = Case, Which, Side) ->
    case once(Op, Side, Arg) of
        Expect -> ok;
        Got -> error({wrong_reply, Name, Which, {expected, Expect}, {got, Got}})
    end,
    case Case of
        #{reject := Bad} ->
            case {Which, once(Op, Side, Bad)} of
                {c, {error, badarg}} -> ok;
                {erldrv, {erldrv_badarg, Msg}} when is_binary(Msg) -> ok;
                {_, Other} -> error({bad_argument_accepted, Name, Which, Bad, Other})
            end;
        #{} ->
            ok
    end.

once(control, {Port, Command}, Arg) -> erlang:port_control(Port, Command, Arg);
once(call, {Port, Command}, Arg) -> erlang:port_call(Port, Command, Arg).

%% Runs batches of doubling size until Budget ns have been spent; returns the time per
%% call of the last (largest) batch.
warm_up(Op, Side, Arg, Budget) ->
    warm_up(Op, Side, Arg, Budget, 1, 0).

warm_up(Op, Side, Arg, Budget, Batch, Spent) ->
    T = time_calls(Op, Side, Arg, Batch),
    case Spent + T >= Budget of
        true -> max(T, 1) / Batch;
        false -> warm_up(Op, Side, Arg, Budget, Batch * 2, Spent + T)
    end.

%% One round: both sides, in an order that alternates from round to round.
round_pair(Op, C, E, Arg, N, Round) when Round rem 2 =:= 1 ->
    TC = timed_round(Op, C, Arg, N),
    TE = timed_round(Op, E, Arg, N),
    {TC, TE};
round_pair(Op, C, E, Arg, N, _) ->
    TE = timed_round(Op, E, Arg, N),
    TC = timed_round(Op, C, Arg, N),
    {TC, TE}.

%% Starts each round with a fresh heap, so that one side does not pay for the other's
%% garbage.
timed_round(Op, Side, Arg, N) ->
    erlang:garbage_collect(),
    time_calls(Op, Side, Arg, N).

time_calls(control, {Port, Command}, Arg, N) ->
    T0 = erlang:monotonic_time(nanosecond),
    control_loop(Port, Command, Arg, N),
    erlang:monotonic_time(nanosecond) - T0;
time_calls(call, {Port, Command}, Arg, N) ->
    T0 = erlang:monotonic_time(nanosecond),
    call_loop(Port, Command, Arg, N),
    erlang:monotonic_time(nanosecond) - T0.

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

join_ints(Ints) ->
    lists:join(",", [integer_to_list(I) || I <- Ints]).

%% One result line: `erldrv-bench Kind key=value ...`; no value contains a space.
emit(Kind, Fields) ->
    io:format("erldrv-bench ~s~s~n",
              [Kind, [[" ", atom_to_list(K), "=", value(V)] || {K, V} <- Fields]]).

value(V) when is_atom(V) -> atom_to_list(V);
value(V) when is_integer(V) -> integer_to_list(V);
value(V) -> V.
