%% A driver whose init fails or panics is not loaded, with a readable error, and the VM
%% carries on.
-module(init_fail_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "init_fail_drv").

load_with(Mode) ->
    os:putenv("INIT_FAIL_MODE", Mode),
    erl_ddll:load_driver(erldrv_test:driver_dir(), ?DRV).

%% erl_ddll can only say driver_init_failed; the reason travels in the VM's environment,
%% where erldrv:load/2 picks it up.
reason() ->
    Var = "ERLDRV_INIT_ERROR_" ++ ?DRV,
    Reason = os:getenv(Var),
    os:unsetenv(Var),
    Reason.

init_panic_test() ->
    ?assertEqual({error, driver_init_failed}, load_with("panic")),
    ?assertEqual("panic in init: deliberate panic in init", reason()),
    ?assertEqual("Driver init failed", erl_ddll:format_error(driver_init_failed)),
    %% Nothing stays half-loaded: a second attempt fails the same way.
    ?assertEqual({error, driver_init_failed}, load_with("panic")).

init_error_test() ->
    ?assertEqual({error, driver_init_failed}, load_with("error")),
    ?assertEqual("deliberate init error", reason()).

init_ok_after_failures_test() ->
    ?assertEqual(ok, load_with("ok")),
    P = erldrv_test:open(?DRV),
    ?assert(port_close(P)).
