%% The reasons the runtime is to report to callers, through erldrv's Erlang side. These
%% tests wait for the runtime's part (tests/beam.rs runs them only with --ignored):
%%
%% - load_reports_init_error_test, load_reports_init_panic_test: the init trampoline sets
%%   the VM environment variable ERLDRV_INIT_ERROR_<Name> to the driver's InitError
%%   message or the panic message. (Uses init_fail_drv as it is.)
%% - call_panic_reply_test: a panic in call makes port_call/3 return
%%   {erldrv_panic, Message}, so that a caller that does not own the port learns it too
%%   (today port_call/3 raises badarg and only the owner gets the message). (probe_drv as
%%   it is.)
%% - start_reason_test: needs probe_drv's start argument "refuse_with_reason" to refuse
%%   with badarg and the reason "deliberate start refusal", which the runtime sends as
%%   {Port, {erldrv_start_error, <<"deliberate start refusal">>}}.
%% - control_reason_test: needs probe_drv's control command BADARG_WITH_REASON (28) to
%%   fail with badarg and its data as the reason, which the runtime sends to the caller
%%   as {Port, {erldrv_badarg, Data}}.
%%
%% Everything erldrv's Erlang side does with these messages runs today in erlside_tests,
%% where erlside_drv sends them itself.
-module(reasons_tests).
-include_lib("eunit/include/eunit.hrl").

-define(PROBE, "probe_drv").
-define(INIT_FAIL, "init_fail_drv").
-define(PANIC_IN, 2).
-define(BADARG_WITH_REASON, 28).
-define(CALL_ECHO, 0).

init_failure_text(Mode) ->
    os:putenv("INIT_FAIL_MODE", Mode),
    Dir = erldrv_test:driver_dir(),
    try erldrv:load(Dir, ?INIT_FAIL) of
        ok -> error(loaded)
    catch
        error:{erldrv_load_failed, ?INIT_FAIL, Dir, Text} -> {Dir, Text}
    after
        os:unsetenv("INIT_FAIL_MODE")
    end.

load_reports_init_error_test() ->
    {Dir, Text} = init_failure_text("error"),
    ?assertEqual(filename:join(Dir, ?INIT_FAIL ++ ".so")
                 ++ ": the driver's init failed: deliberate init error", Text),
    ?assertEqual(false, os:getenv("ERLDRV_INIT_ERROR_" ++ ?INIT_FAIL)).

load_reports_init_panic_test() ->
    {_, Text} = init_failure_text("panic"),
    ?assertNotEqual(nomatch, string:find(Text, "deliberate panic in init")),
    ?assertEqual(false, os:getenv("ERLDRV_INIT_ERROR_" ++ ?INIT_FAIL)).

call_panic_reply_test() ->
    ok = erldrv_test:load(?PROBE),
    process_flag(trap_exit, true),
    P = erldrv:open(?PROBE, [binary]),
    [] = erldrv:control(P, ?PANIC_IN, "call"),
    Self = self(),
    %% Not the owner: only a reply can tell it.
    spawn_link(fun() ->
        Self ! {caller, catch erldrv:call(P, ?CALL_ECHO, x)}
    end),
    receive {caller, Got} ->
        ?assertMatch({'EXIT', {{erldrv_panic, <<"deliberate panic in call">>}, _}}, Got)
    after 5000 -> error(no_answer)
    end,
    erldrv_test:flush().

start_reason_test() ->
    ok = erldrv_test:load(?PROBE),
    ?assertError({badarg, <<"deliberate start refusal">>},
                 erldrv:open(?PROBE, "refuse_with_reason", [])).

control_reason_test() ->
    ok = erldrv_test:load(?PROBE),
    P = erldrv:open(?PROBE, [binary]),
    ?assertError({badarg, <<"not this one">>},
                 erldrv:control(P, ?BADARG_WITH_REASON, "not this one")),
    port_close(P).
