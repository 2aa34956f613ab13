%% A VM thread (erldrv::drv_thread) still running when its driver is unloaded is stopped
%% and joined before the unload completes. The driver's lingering thread sets
%% DRV_THREADS_DONE_<Tag> as its very last act, after a slow clean-up; the VM runs finish
%% and unmaps the library before erl_ddll:unload_driver/1 returns, so the variable is set
%% by then only if finish waited for the thread. In its own VM, since it unloads.
-module(drv_threads_unload_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "drv_threads_drv").

loaded() ->
    {ok, Drivers} = erl_ddll:loaded_drivers(),
    lists:member(?DRV, Drivers).

cycle(Tag) ->
    Var = "DRV_THREADS_DONE_" ++ Tag,
    ok = erldrv_test:load(?DRV),
    P = erldrv_test:open(?DRV),
    ?assertEqual("running", port_control(P, 0, "linger " ++ Tag)),
    true = port_close(P),
    %% No port is left, but nothing has stopped the thread yet.
    ?assertEqual(false, os:getenv(Var)),
    ok = erl_ddll:unload_driver(?DRV),
    ?assertEqual("yes", os:getenv(Var)),
    ?assertNot(loaded()).

vm_thread_is_joined_at_unload_test() ->
    cycle("first").

%% And again after a reload: the registry is ready for the next load.
vm_thread_is_joined_after_a_reload_test() ->
    cycle("second").
