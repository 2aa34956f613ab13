%% The guide's async chapter (erldrv/src/guide/async_work.md): requests answered from the
%% worker pool, a quick command answered from control, timeouts that cancel the job, ordered
%% jobs, a full queue answered busy, a Sender reporting to the owner. Drives
%% beam-tests/drivers/guide_async.
-module(guide_async_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "jobs_drv").

async_test_() ->
    {setup, fun() -> ok = erldrv:load(erldrv_test:driver_dir(), ?DRV) end,
     fun(_) -> ok end,
     {inorder,
      [fun requests/0,
       fun many_callers/0,
       fun timeouts_cancel/0,
       fun ordered/0,
       fun busy/0,
       fun sender/0]}}.

requests() ->
    Port = erldrv:open(?DRV, [binary]),
    ?assertEqual({ok, 6}, erldrv:request(Port, 1, <<1, 2, 3>>, 5000)),
    Id = erldrv:send_request(Port, 2, <<"10">>),
    ?assertEqual({ok, 10}, erldrv:await(Id, 5000)),
    %% Quick: answered in control itself.
    ?assertEqual({ok, <<>>}, erldrv:request(Port, 0, <<>>)),
    ?assertEqual({error, {badarg, <<"unknown command 9">>}}, erldrv:request(Port, 9, <<>>)),
    port_close(Port).

%% Each caller waits for its own reply only.
many_callers() ->
    Port = erldrv:open(?DRV, [binary]),
    Self = self(),
    Pids = [spawn_link(fun() -> Self ! {self(), erldrv:request(Port, 1, <<N>>, 5000)} end)
            || N <- lists:seq(1, 10)],
    ?assertEqual([{ok, N} || N <- lists:seq(1, 10)],
                 [receive {P, R} -> R end || P <- Pids]),
    port_close(Port).

%% A caller that gives up cancels its job: two 10 s jobs that time out free both workers.
timeouts_cancel() ->
    Port = erldrv:open(?DRV, [binary]),
    Ids = [erldrv:send_request(Port, 2, <<"10000">>) || _ <- [1, 2]],
    [?assertEqual({error, timeout}, erldrv:await(Id, 50)) || Id <- Ids],
    ?assertEqual({ok, 3}, erldrv:request(Port, 1, <<3>>, 2000)),
    port_close(Port).

%% Ordered jobs run in the order they came, however long each takes.
ordered() ->
    Port = erldrv:open(?DRV, [binary]),
    A = erldrv:send_request(Port, 3, <<"200 a">>),
    B = erldrv:send_request(Port, 3, <<"0 b">>),
    ?assertEqual({ok, <<"a">>}, erldrv:await(A, 5000)),
    ?assertEqual({ok, <<"ab">>}, erldrv:await(B, 5000)),
    ?assertEqual({ok, <<"ab">>}, erldrv:request(Port, 0, <<>>)),
    port_close(Port).

%% Two workers and 16 places in the queue: past 18 jobs, a job is refused at once. (The
%% workers may take two jobs only after the 18th came, freeing two places: so 17 to 20 hold
%% at least two refusals.)
busy() ->
    Port = erldrv:open(?DRV, [binary]),
    Ids = [erldrv:send_request(Port, 2, <<"10000">>) || _ <- lists:seq(1, 20)],
    {Accepted, Rest} = lists:split(16, Ids),
    %% The refusals are in the mailbox already; await/2 cancels the others.
    [?assertEqual({error, timeout}, erldrv:await(Id, 0)) || Id <- Accepted],
    Busy = [Id || Id <- Rest, erldrv:await(Id, 0) =:= {error, busy}],
    ?assert(length(Busy) >= 2),
    %% Cancelled: the queue empties and the workers are free again well before 10 s.
    erldrv_test:wait_until(fun() -> erldrv:request(Port, 1, <<3>>, 2000) =:= {ok, 3} end, 3000),
    port_close(Port).

sender() ->
    Port = erldrv:open(?DRV, [binary]),
    true = port_command(Port, <<"hello">>),
    receive {Port, counted, 5} -> ok after 5000 -> error(no_count) end,
    port_close(Port).
