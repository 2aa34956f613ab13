%% The VM's threads, locks and thread-specific data through erldrv::drv_thread and
%% erldrv::drv_sync: counters under a DrvMutex, a producer and a consumer on two DrvConds,
%% readers and writers on a DrvRwLock, values per thread, names the VM and the OS show,
%% join results, exit, panics and stack sizes. Drives beam-tests/drivers/drv_threads.
-module(drv_threads_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "drv_threads_drv").
%% The OS keeps the first 15 bytes of a thread's name.
-define(LONG_NAME, "drv_threads named thread").
-define(OS_NAME, "drv_threads nam").

drv_threads_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [fun counter_under_a_mutex/0,
       fun producer_and_consumer/0,
       fun readers_and_writers/0,
       fun values_per_thread/0,
       fun names_in_the_vm_and_the_os/0,
       fun a_held_thread_shows_in_proc/0,
       fun is_current/0,
       fun join_returns_the_result/0,
       fun exit_returns_its_value_and_unlocks/0,
       fun a_panicking_thread_is_an_error_of_join/0,
       fun a_big_stack/0,
       fun names_with_nul_are_refused/0,
       fun locking_twice_is_a_contained_panic/0]}}.

%% Control commands are words: the verb, then its arguments.
ctl(Words) ->
    P = erldrv_test:open(?DRV),
    try port_control(P, 0, Words)
    after port_close(P)
    end.

%% 8 threads × 2,000 rounds of read, yield, write: no increment is lost.
counter_under_a_mutex() ->
    ?assertEqual("16000 16000", ctl("counter 8 2000")).

producer_and_consumer() ->
    N = 5000,
    ?assertEqual(integer_to_list(N * (N + 1) div 2), ctl("prodcons " ++ integer_to_list(N))).

%% 4 readers and 2 writers, 2,000 rounds: no reader sees half a write; readers share the
%% lock across threads, a writer has it alone.
readers_and_writers() ->
    ?assertEqual("4000 torn=0 shared=true exclusive=true", ctl("rwlock 4 2 2000")).

%% Each of 6 threads starts without a value, gets its own (10 × I, then + 1), keeps it
%% while the others run; the driver sums them after the joins. A key made after another
%% was destroyed does not see the value the old one left on the same thread.
values_per_thread() ->
    ?assertEqual("fresh=true own=true values=1,11,21,31,41,51 stale=none", ctl("tsd 6")).

%% The VM keeps each name whole; the OS shows the thread's first 15 bytes.
names_in_the_vm_and_the_os() ->
    Expected = string:join(["drv_threads mutex", "drv_threads cond", "drv_threads rwlock",
                            ?LONG_NAME, ?OS_NAME], "|"),
    ?assertEqual(Expected, ctl("names")).

%% Seen from outside the driver: the thread is in /proc/<pid>/task while it runs, under
%% its name, and gone once joined.
a_held_thread_shows_in_proc() ->
    P = erldrv_test:open(?DRV),
    ?assertNot(lists:member("dtt_held", thread_names())),
    ?assertEqual("running", port_control(P, 0, "hold dtt_held")),
    ?assert(lists:member("dtt_held", thread_names())),
    ?assertEqual("joined", port_control(P, 0, "release")),
    ?assertNot(lists:member("dtt_held", thread_names())),
    port_close(P).

thread_names() ->
    Dir = "/proc/" ++ os:getpid() ++ "/task",
    {ok, Tasks} = file:list_dir(Dir),
    lists:filtermap(
      fun(T) ->
          case file:read_file(filename:join([Dir, T, "comm"])) of
              {ok, Comm} -> {true, string:trim(binary_to_list(Comm))};
              {error, _} -> false % the thread ended meanwhile
          end
      end, Tasks).

is_current() ->
    ?assertEqual("inside=true outside=false", ctl("is_current")).

join_returns_the_result() ->
    ?assertEqual("42", ctl("join 41")).

%% exit/1 ten calls deep ends the thread with its value; the guard the thread held was
%% dropped on the way.
exit_returns_its_value_and_unlocks() ->
    ?assertEqual("7 unlocked", ctl("exit 7")).

%% join returns the panic; the port and the VM go on (tests/beam.rs checks the panic
%% hook's line on standard error).
a_panicking_thread_is_an_error_of_join() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual("deliberate panic in a VM thread", port_control(P, 0, "panic")),
    ?assertEqual("42", port_control(P, 0, "join 41")),
    port_close(P).

%% 16 MiB on the stack of a thread that asked for 32 MiB: beyond the default stack.
a_big_stack() ->
    ?assertEqual("deep", ctl("stack")).

names_with_nul_are_refused() ->
    ?assertEqual("InvalidInput InvalidInput", ctl("bad_names")).

%% A DrvMutex locked twice by one scheduler thread would stall it: a panic instead,
%% contained, and the lock is released as the guard unwinds.
locking_twice_is_a_contained_panic() ->
    process_flag(trap_exit, true),
    P = erldrv_test:open(?DRV),
    ?assertError(badarg, port_control(P, 0, "relock")),
    Msg = erldrv_test:recv_panic(P),
    ?assertNotEqual(nomatch, binary:match(Msg, <<"holds already">>)),
    ?assertEqual(erldrv_panic, erldrv_test:recv_exit(P)),
    process_flag(trap_exit, false),
    %% The driver goes on.
    ?assertEqual("16000 16000", ctl("counter 8 2000")).
