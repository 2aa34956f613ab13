%% The worker pool and requests answered to each caller: many callers on one port each
%% get their own reply, a job's failure reaches its caller only, timeouts and closed
%% ports leave nothing behind, ordered jobs keep their order, outputv requests keep their
%% binaries by reference, the queue is bounded. Drives beam-tests/drivers/pool.
-module(pool_tests).
-include_lib("eunit/include/eunit.hrl").
-export([stats/1]).

-define(DRV, "pool_drv").

pool_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [{"replies and errors, each to its caller", fun replies_and_errors/0},
       {"1000 callers in flight on one port, one job panics", {timeout, 60, fun many_callers/0}},
       {"jobs spread over the workers", fun workers_share_the_work/0},
       {"ordered jobs keep their order", fun ordered_jobs/0},
       {"a timeout cancels and leaves nothing behind", fun timeout_cancels/0},
       {"a caller that dies leaves nothing behind", fun dead_caller/0},
       {"closing the port answers closed and cancels its jobs", fun close_cancels/0},
       {"outputv requests keep their binaries by reference", fun outputv_by_reference/0},
       {"spawn_job, and its panic", fun spawn_job/0},
       {"non-blocking: send_request, then check in a receive loop", fun check_in_a_loop/0}]}}.

stats(P) ->
    S = port_control(P, 0, "stats"),
    {match, [Live, Workers, Cancels, AsyncRan, PoolRan]} =
        re:run(S, "live=(\\d+) workers=(\\d+) cancels=(\\d+) async_ran=(\\d+) pool_ran=(\\d+)",
               [{capture, all_but_first, list}]),
    #{live => list_to_integer(Live), workers => list_to_integer(Workers),
      cancels => list_to_integer(Cancels), async_ran => list_to_integer(AsyncRan),
      pool_ran => list_to_integer(PoolRan)}.

live(P) -> maps:get(live, stats(P)).

replies_and_errors() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual({ok, <<"hello">>}, erldrv:request(P, 1, <<"hello">>)),
    ?assertEqual({ok, <<"io", "list">>}, erldrv:request(P, 1, ["io", [<<"list">>]])),
    ?assertEqual({ok, 3}, erldrv:request(P, 2, "3")),
    ?assertMatch({error, {erldrv_panic, <<"deliberate panic in a job">>}},
                 erldrv:request(P, 3, <<>>)),
    %% The port survived its job's panic.
    ?assertEqual({ok, <<"again">>}, erldrv:request(P, 1, <<"again">>)),
    ?assertEqual({error, <<"nope">>}, erldrv:request(P, 4, <<"nope">>)),
    ?assertEqual({ok, <<"sync:x">>}, erldrv:request(P, 5, <<"x">>)),
    ?assertEqual({error, {badarg, <<"refused by control">>}}, erldrv:request(P, 6, <<>>)),
    ?assertEqual({error, erldrv_no_reply}, erldrv:request(P, 7, <<>>)),
    ?assertEqual({error, {badarg, <<"unknown request">>}}, erldrv:request(P, 99, <<>>)),
    %% Bad arguments are refused before anything is sent.
    ?assertError(badarg, erldrv:request(P, -1, <<>>)),
    ?assertError(badarg, erldrv:request(P, 16#FFFFFF01, <<>>)),
    ?assertError(badarg, erldrv:request(P, 1, [foo])),
    %% A plain port_control with the request command but no header is refused.
    ?assertError(badarg, port_control(P, 16#FFFFFF01, <<"junk">>)),
    receive {P, {erldrv_badarg, Why}} -> ?assertMatch({_, _}, binary:match(Why, <<"header">>))
    after 1000 -> error(no_reason)
    end,
    ok = erldrv_test:wait_until(fun() -> live(P) =:= 0 end, 5000),
    port_close(P),
    ?assertEqual([], flush_all()).

%% Every process gets its own reply, tagged; the one whose job panics gets the panic, and
%% nobody else notices.
many_callers() ->
    P = erldrv_test:open(?DRV),
    Self = self(),
    N = 1000,
    Go = make_ref(),
    Pids = [spawn_link(fun() ->
                               receive Go -> ok end,
                               Data = integer_to_binary(I),
                               R = case I of
                                       500 -> erldrv:request(P, 3, Data, 30000);
                                       _ -> erldrv:request(P, 1, Data, 30000)
                                   end,
                               Self ! {self(), I, R, process_info(self(), message_queue_len)}
                       end) || I <- lists:seq(1, N)],
    [Pid ! Go || Pid <- Pids],
    Results = [receive {Pid, I, R, Q} -> {I, R, Q} after 30000 -> error({no_reply, I}) end
               || {Pid, I} <- lists:zip(Pids, lists:seq(1, N))],
    lists:foreach(
      fun({500, R, Q}) ->
              ?assertMatch({error, {erldrv_panic, _}}, R),
              ?assertEqual({message_queue_len, 0}, Q);
         ({I, R, Q}) ->
              ?assertEqual({ok, integer_to_binary(I)}, R),
              ?assertEqual({message_queue_len, 0}, Q)
      end, Results),
    ok = erldrv_test:wait_until(fun() -> live(P) =:= 0 end, 5000),
    port_close(P).

%% Jobs of one port run on every worker (two, from the attribute) at once.
workers_share_the_work() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual(2, maps:get(workers, stats(P))),
    %% Two gated jobs hold both workers; a third waits until the gate opens.
    _ = port_control(P, 0, "close_gate"),
    Ids = [erldrv:send_request(P, 10, <<>>) || _ <- lists:seq(1, 3)],
    ok = erldrv_test:wait_until(fun() -> live(P) =:= 3 end, 5000),
    ?assertEqual({error, timeout}, erldrv:request(P, 1, <<"queued">>, 100)),
    _ = port_control(P, 0, "open"),
    [?assertEqual({ok, <<"passed">>}, erldrv:await(Id, 5000)) || Id <- Ids],
    Names = lists:usort([begin {ok, Name} = erldrv:request(P, 9, <<>>), Name end
                         || _ <- lists:seq(1, 200)]),
    ?assert(lists:all(fun(Name) -> lists:prefix("erldrv-worker-", binary_to_list(Name)) end,
                      Names)),
    port_close(P).

ordered_jobs() ->
    P = erldrv_test:open(?DRV),
    Bytes = [I rem 256 || I <- lists:seq(1, 200)],
    Ids = [erldrv:send_request(P, 8, <<B>>) || B <- Bytes],
    %% () is the empty tuple.
    [?assertEqual({ok, {}}, erldrv:await(Id, 5000)) || Id <- Ids],
    ?assertEqual(list_to_binary(Bytes), iolist_to_binary(port_control(P, 0, "log"))),
    port_close(P).

%% await/2 gives up: the running job sees its Cancel, and no late reply reaches the
%% mailbox; a job still queued never runs.
timeout_cancels() ->
    P = erldrv_test:open(?DRV),
    #{cancels := C0} = stats(P),
    ?assertEqual({error, timeout}, erldrv:request(P, 2, "2000", 50)),
    ok = erldrv_test:wait_until(fun() -> maps:get(cancels, stats(P)) =:= C0 + 1 end, 5000),
    ok = erldrv_test:wait_until(fun() -> live(P) =:= 0 end, 5000),
    %% A reply racing the cancellation: whichever wins, nothing is left.
    [begin
         _ = erldrv:request(P, 2, "1", 1),
         ok
     end || _ <- lists:seq(1, 50)],
    ok = erldrv_test:wait_until(fun() -> live(P) =:= 0 end, 5000),
    timer:sleep(20),
    ?assertEqual([], flush_all()),
    port_close(P).

dead_caller() ->
    P = erldrv_test:open(?DRV),
    {Pid, Ref} = spawn_monitor(fun() -> erldrv:send_request(P, 2, "30"), exit(done) end),
    receive {'DOWN', Ref, process, Pid, done} -> ok end,
    ok = erldrv_test:wait_until(fun() -> live(P) =:= 0 end, 5000),
    ?assertEqual({ok, <<"still">>}, erldrv:request(P, 1, <<"still">>)),
    port_close(P).

%% A port closed with requests in flight: callers get {error, closed}, jobs not started
%% never run, running ones see their Cancel.
close_cancels() ->
    P = erldrv_test:open(?DRV),
    _ = port_control(P, 0, "close_gate"),
    Ids = [erldrv:send_request(P, 10, <<>>) || _ <- lists:seq(1, 20)],
    ok = erldrv_test:wait_until(fun() -> live(P) =:= 20 end, 5000),
    Q = erldrv_test:open(?DRV),
    port_close(P),
    [?assertEqual({error, closed}, erldrv:await(Id, 5000)) || Id <- Ids],
    ok = erldrv_test:wait_until(fun() -> live(Q) =:= 0 end, 5000),
    _ = port_control(Q, 0, "open"),
    port_close(Q),
    %% A request to a closed port.
    ?assertEqual({error, closed}, erldrv:request(P, 1, <<>>)),
    ?assertEqual([], flush_all()).

outputv_by_reference() ->
    P = erldrv_test:open(?DRV),
    Big = binary:copy(<<"0123456789abcdef">>, 65536),
    ?assertEqual({ok, {1048576, 1048576}}, erldrv:command_request(P, Big, 5000)),
    ?assertEqual({ok, {2097152, 2097152}}, erldrv:command_request(P, [Big, Big], 5000)),
    %% Data that is not a request is refused by the driver.
    port_command(P, <<"plain">>),
    ?assertEqual(<<"not a request">>, erldrv_test:recv_data(P)),
    port_close(P).

spawn_job() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual({ok, true}, erldrv:request(P, 11, <<>>)),
    receive {job_done, 1} -> ok after 5000 -> error(no_job_output) end,
    ?assertEqual({ok, true}, erldrv:request(P, 12, <<>>)),
    receive {P, {erldrv_job_panic, <<"deliberate panic in a spawn_job">>}} -> ok
    after 5000 -> error(no_job_panic)
    end,
    %% The port is still open.
    ?assertEqual({ok, <<"open">>}, erldrv:request(P, 1, <<"open">>)),
    port_close(P).

check_in_a_loop() ->
    P = erldrv_test:open(?DRV),
    Id = erldrv:send_request(P, 2, "20"),
    Other = erldrv:send_request(P, 1, <<"first">>),
    Loop = fun L(Seen) ->
                   receive
                       Msg ->
                           case {erldrv:check(Msg, Id), erldrv:check(Msg, Other)} of
                               {{reply, R}, no_reply} -> L([{slow, R} | Seen]);
                               {no_reply, {reply, R}} -> L([{fast, R} | Seen])
                           end
                   after 2000 -> lists:reverse(Seen)
                   end
           end,
    ?assertEqual([{fast, {ok, <<"first">>}}, {slow, {ok, 20}}], Loop([])),
    port_close(P).

flush_all() ->
    receive M -> [M | flush_all()] after 0 -> [] end.
