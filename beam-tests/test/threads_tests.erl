%% Threads a driver started are stopped and joined before the driver is unloaded: once
%% erl_ddll:unload_driver/1 has returned (or erl_ddll:loaded_drivers/0 no longer lists the
%% driver), every thread has done its last act. threads_drv's workers set the variable
%% THREADS_DRV_DONE_<Tag> as their very last act, after a deliberately slow clean-up; the
%% VM runs finish and unmaps the library before the unload completes, so the variable is
%% set at that point only if finish waited for the thread. In its own VM, since it
%% unloads the driver.
-module(threads_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "threads_drv").
-define(SPAWN, 0).
-define(SPAWN_STD, 1).
-define(STUBBORN, 2).
-define(PANICKY, 3).
-define(JOIN, 4).
-define(INITS, 5).

done_var(Tag) -> "THREADS_DRV_DONE_" ++ Tag.

loaded() ->
    {ok, Drivers} = erl_ddll:loaded_drivers(),
    lists:member(?DRV, Drivers).

%% Loads the driver, starts a thread with Command, closes the port, unloads, and checks
%% that the thread was done before the unload completed.
cycle(Command, Tag) ->
    ok = erldrv_test:load(?DRV),
    P = erldrv_test:open(?DRV),
    ?assertEqual("running", port_control(P, Command, Tag)),
    true = port_close(P),
    %% No port is left, but nothing has stopped the thread yet.
    ?assertEqual(false, os:getenv(done_var(Tag))),
    Watcher = watch_unload(Tag),
    ok = erl_ddll:unload_driver(?DRV),
    %% unload_driver/1 returns once the VM has run finish and closed the library.
    ?assertEqual("yes", os:getenv(done_var(Tag))),
    ?assertNot(loaded()),
    ?assertEqual({gone, "yes"}, watched(Watcher)).

%% A second observer: a process that asks loaded_drivers/0 until the driver is gone, and
%% then at once reads the thread's variable. The VM takes the driver out of its list and
%% runs finish under one lock, which loaded_drivers/0 waits for.
watch_unload(Tag) ->
    Self = self(),
    Ref = make_ref(),
    Deadline = erlang:monotonic_time(millisecond) + 10000,
    spawn_link(fun() -> Self ! {Ref, watch(Tag, Deadline)} end),
    Ref.

watch(Tag, Deadline) ->
    case {loaded(), erlang:monotonic_time(millisecond) > Deadline} of
        {false, _} -> {gone, os:getenv(done_var(Tag))};
        {true, true} -> still_loaded;
        {true, false} -> watch(Tag, Deadline)
    end.

watched(Ref) ->
    receive {Ref, Result} -> Result
    after 15000 -> error(no_answer_from_watcher)
    end.

framework_thread_is_joined_at_unload_test() ->
    cycle(?SPAWN, "spawn1").

std_thread_joined_by_finish_test() ->
    cycle(?SPAWN_STD, "std1").

%% Load and unload, again and again: threads started after a reload are joined at the
%% next unload too. Whether a reload gets fresh statics is up to the C library: glibc keeps
%% a library mapped, statics and all, once its code has registered a thread-local
%% destructor (any thread that ran Rust's std does), so the same file loaded again may be
%% the same copy. Either way init runs once per load, and the framework's own statics must
%% be ready for the next load when finish returns.
load_unload_cycles_test() ->
    Inits = lists:map(
      fun(N) ->
          Tag = integer_to_list(N),
          ok = erldrv_test:load(?DRV),
          P = erldrv_test:open(?DRV),
          Count = list_to_integer(port_control(P, ?INITS, "")),
          true = port_close(P),
          ok = erl_ddll:unload_driver(?DRV),
          cycle(?SPAWN, "cycle_spawn" ++ Tag),
          cycle(?SPAWN_STD, "cycle_std" ++ Tag),
          Count
      end, lists:seq(1, 3)),
    io:format("init counts seen by three loads of the same file: ~p~n", [Inits]),
    %% Fresh statics (1, 1, 1) or one copy counting every load (three loads a cycle).
    [First | _] = Inits,
    ?assert(Inits =:= [1, 1, 1] orelse Inits =:= [First, First + 3, First + 6]).

%% A thread that ignores its token for 2.5 s: finish waits for it (and reports it on the
%% VM's standard error, which tests/beam.rs checks).
stubborn_thread_is_waited_for_test() ->
    cycle(?STUBBORN, "stubborn1").

%% A thread that panicked is over: the unload goes ahead (tests/beam.rs checks the panic
%% message on the VM's standard error).
panicked_thread_does_not_disturb_unload_test() ->
    ok = erldrv_test:load(?DRV),
    P = erldrv_test:open(?DRV),
    ?assertEqual("running", port_control(P, ?PANICKY, "")),
    true = port_close(P),
    ok = erl_ddll:unload_driver(?DRV),
    ?assertNot(loaded()).

%% A thread can be stopped and joined early through its handle.
join_through_the_handle_test() ->
    ok = erldrv_test:load(?DRV),
    P = erldrv_test:open(?DRV),
    ?assertEqual("joined", port_control(P, ?JOIN, "early1")),
    ?assertEqual("yes", os:getenv(done_var("early1"))),
    true = port_close(P),
    ok = erl_ddll:unload_driver(?DRV).
