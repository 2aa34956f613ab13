%% The reasons the runtime reports to callers, raised by erldrv's Erlang side: the init
%% error a failing init leaves in the VM environment, a panicking call's reply, a start
%% refusal's reason and a control refusal's reason (contexts_drv refuses with reasons).
%% erlside_tests covers what the Erlang side does with such messages in detail.
-module(reasons_tests).
-include_lib("eunit/include/eunit.hrl").

-define(REPLIES, "replies_drv").
-define(INIT_FAIL, "init_fail_drv").
-define(CONTEXTS, "contexts_drv").

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
    ok = erldrv_test:load(?REPLIES),
    process_flag(trap_exit, true),
    P = erldrv:open(?REPLIES, [binary]),
    [] = erldrv:control(P, 0, "panic_in call"),
    Self = self(),
    %% Not the owner: only a reply can tell it.
    spawn_link(fun() ->
        Self ! {caller, catch erldrv:call(P, 0, {echo, x})}
    end),
    receive {caller, Got} ->
        ?assertMatch({'EXIT', {{erldrv_panic, <<"deliberate panic in call">>}, _}}, Got)
    after 5000 -> error(no_answer)
    end,
    erldrv_test:flush().

start_reason_test() ->
    ok = erldrv_test:load(?CONTEXTS),
    ?assertError({badarg, <<"contexts_drv takes no arguments">>},
                 erldrv:open(?CONTEXTS, "refuse", [])),
    ?assertError({erldrv_panic, <<"deliberate panic in start">>},
                 erldrv:open(?CONTEXTS, "panic", [])),
    %% erldrv:open/3 took the messages that carried the reasons.
    receive {Port, {_, _}} = M when is_port(Port) -> error({left_behind, M})
    after 0 -> ok
    end.

control_reason_test() ->
    ok = erldrv_test:load(?CONTEXTS),
    P = erldrv:open(?CONTEXTS, [binary]),
    ?assertError({badarg, <<"refused: not today">>}, erldrv:control(P, 0, "refuse")),
    ?assertError(badarg, erldrv:control(P, 0, "refuse_plain")),
    %% Nothing is left in the mailbox.
    erldrv_test:no_message(P),
    port_close(P).

control_panic_test() ->
    ok = erldrv_test:load(?CONTEXTS),
    process_flag(trap_exit, true),
    P = erldrv:open(?CONTEXTS, [binary]),
    ?assertError({erldrv_panic, <<"deliberate panic in control">>},
                 erldrv:control(P, 0, "panic")),
    ?assertEqual(erldrv_panic, erldrv_test:recv_exit(P)),
    process_flag(trap_exit, false).
