%% A driver whose init fails or panics is not loaded, with a readable error, and the VM
%% carries on.
-module(init_fail_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "init_fail_drv").

load_with(Mode) ->
    os:putenv("INIT_FAIL_MODE", Mode),
    erl_ddll:load_driver(erldrv_test:driver_dir(), ?DRV).

init_panic_test() ->
    {error, Reason} = load_with("panic"),
    Text = erl_ddll:format_error(Reason),
    ?assert(is_list(Text) andalso Text =/= ""),
    ?assertMatch({error, _}, load_with("panic")).

init_error_test() ->
    ?assertMatch({error, _}, load_with("error")).

init_ok_after_failures_test() ->
    ?assertEqual(ok, load_with("ok")),
    P = erldrv_test:open(?DRV),
    ?assert(port_close(P)).
