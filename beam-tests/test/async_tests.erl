%% Async jobs: results reach ready_async in the order the jobs were spawned; a job spawned
%% on another driver's state and a panic in ready_async close their port; a panicking job
%% reaches ready_async as its error, and the port stays open. Run with the default async pool and with +A 0. Drives beam-tests/drivers/async.
-module(async_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "async_drv").

async_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [fun spawn_async_for_another_driver_closes_the_port/0,
       fun async_jobs_run_in_order/0,
       {"a panic in ready_async closes the port, one in a job does not", fun panics_in_ready_async_and_a_job/0}]}}.

%% Control commands are words: the verb, then its argument.
ctl(P, Words) -> port_control(P, 0, Words).

spawn_async_for_another_driver_closes_the_port() ->
    process_flag(trap_exit, true),
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "spawn_for_other_driver"),
    Msg = erldrv_test:recv_panic(P),
    ?assertMatch({_, _}, binary:match(Msg, <<"another driver type">>)),
    ?assertEqual(erldrv_panic, erldrv_test:recv_exit(P)),
    process_flag(trap_exit, false).

async_jobs_run_in_order() ->
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "async abc"),
    ?assertEqual(<<"ready_async:cba">>, erldrv_test:recv_data(P)),
    Jobs = [integer_to_list(I) || I <- lists:seq(10, 60)],
    [ctl(P, "async " ++ J) || J <- Jobs],
    Results = [erldrv_test:recv_data(P) || _ <- Jobs],
    ?assertEqual([iolist_to_binary(["ready_async:", lists:reverse(J)]) || J <- Jobs], Results),
    port_close(P).

%% The owner is told, the port exits with erldrv_panic, and the VM carries on.
panics_in_ready_async_and_a_job() ->
    process_flag(trap_exit, true),
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "panic_in ready_async"),
    ctl(P, "async x"),
    ?assertEqual(<<"deliberate panic in ready_async">>, erldrv_test:recv_panic(P)),
    ?assertEqual(erldrv_panic, erldrv_test:recv_exit(P)),
    %% A panicking async job is the job's error: ready_async gets it, the port stays open
    %% and serves the next job.
    Q = erldrv_test:open(?DRV),
    ctl(Q, "async panic"),
    ?assertEqual(<<"job_panicked:deliberate panic in an async job">>, erldrv_test:recv_data(Q)),
    ctl(Q, "async abc"),
    ?assertEqual(<<"ready_async:cba">>, erldrv_test:recv_data(Q)),
    port_close(Q),
    process_flag(trap_exit, false),
    %% The driver still serves new ports.
    ?assertEqual("pong", ctl(erldrv_test:open(?DRV), "ping")).
