%% The guide's failures chapter (erldrv/src/guide/failures.md): what a caller and a port
%% owner see when start refuses, control refuses or panics, the driver closes the port, a
%% job panics, or call refuses its arguments. Drives beam-tests/drivers/guide_failures.
-module(guide_failures_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "fragile_drv").

failures_test_() ->
    {setup, fun() -> ok = erldrv:load(erldrv_test:driver_dir(), ?DRV) end,
     fun(_) -> ok end,
     {inorder,
      [fun start_refused/0, fun control_refused/0, fun control_panics/0,
       fun driver_exits/0, fun job_panics/0, fun call_refused/0]}}.

start_refused() ->
    ?assertError({badarg, <<"fragile_drv takes no arguments">>},
                 erldrv:open("fragile_drv", "x", [])),
    %% open_port/2 itself: badarg, and the reason in a message.
    ?assertError(badarg, open_port({spawn_driver, "fragile_drv x"}, [])),
    receive {_, {erldrv_start_error, R}} -> ?assertEqual(<<"fragile_drv takes no arguments">>, R)
    after 1000 -> error(no_reason)
    end.

control_refused() ->
    Port = erldrv:open(?DRV, []),
    ?assertError({badarg, <<"command 0 refuses everything">>}, erldrv:control(Port, 0, [])),
    ?assertError(badarg, erldrv:control(Port, 9, [])),
    ?assertEqual("fine", erldrv:control(Port, 4, [])),
    port_close(Port).

control_panics() ->
    process_flag(trap_exit, true),
    Port = erldrv:open(?DRV, []),
    ?assertError({erldrv_panic, <<"control panicked on purpose">>}, erldrv:control(Port, 1, [])),
    receive {'EXIT', Port, Reason} -> ?assertEqual(erldrv_panic, Reason)
    after 5000 -> error(no_exit)
    end,
    process_flag(trap_exit, false).

driver_exits() ->
    process_flag(trap_exit, true),
    Port = erldrv:open(?DRV, []),
    [] = erldrv:control(Port, 2, []),
    receive {'EXIT', Port, Reason} -> ?assertEqual(stopped_on_request, Reason)
    after 5000 -> error(no_exit)
    end,
    process_flag(trap_exit, false).

job_panics() ->
    Port = erldrv:open(?DRV, []),
    ?assertEqual({error, {erldrv_panic, <<"job panicked on purpose">>}},
                 erldrv:request(Port, 3, <<>>)),
    ?assertEqual("fine", erldrv:control(Port, 4, [])),
    port_close(Port).

call_refused() ->
    Port = erldrv:open(?DRV, []),
    ?assertEqual(3, erldrv:call(Port, 0, {7, 2})),
    ?assertError({badarg, <<"division by zero">>}, erldrv:call(Port, 0, {1, 0})),
    ?assertEqual({erldrv_badarg, <<"division by zero">>}, erlang:port_call(Port, 0, {1, 0})),
    {'EXIT', {{badarg, Message}, _}} = (catch erldrv:call(Port, 0, {one, 2})),
    ?assertMatch(<<"port_call arguments: expected an integer, found an atom", _/binary>>,
                 Message),
    port_close(Port).
