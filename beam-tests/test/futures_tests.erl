%% Futures on the driver's async runtime (erldrv's tokio feature): a thousand callers wait
%% on timers at once on two runtime threads, a future's panic reaches its caller only,
%% futures cancelled by a caller's timeout or by their port's close are dropped, the
%% number of futures alive is bounded. Drives beam-tests/drivers/futures.
-module(futures_tests).
-include_lib("eunit/include/eunit.hrl").
-export([stats/1, runtime_threads/0]).

-define(DRV, "futures_drv").
%% futures_drv's runtime threads (its workers = 2) and its bound on futures (queue = 1500).
-define(THREADS, 2).
-define(BOUND, 1500).

futures_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [{"1000 timers at once on 2 runtime threads", {timeout, 60, fun many_timers/0}},
       {"replies, errors, and the runtime's threads", fun replies_and_errors/0},
       {"a panicking future answers its caller only", fun panic_answers_its_caller/0},
       {"a caller's timeout drops its future", fun timeout_drops/0},
       {"closing the port drops its futures", fun close_drops/0},
       {"the number of futures alive is bounded", fun bounded/0},
       {"spawn_future without a caller, and its panic", fun port_futures/0}]}}.

stats(P) ->
    S = port_control(P, 0, "stats"),
    {match, Fields} =
        re:run(S, "live=(\\d+) dropped=(\\d+) most_in_timer=(\\d+) workers=(\\d+)",
               [{capture, all_but_first, list}]),
    maps:from_list(lists:zip([live, dropped, most_in_timer, workers],
                             [list_to_integer(F) || F <- Fields])).

stat(P, Key) -> maps:get(Key, stats(P)).

%% The threads of this VM named erldrv-tokio-*, read from /proc without the driver (which
%% may be unloaded). A new thread names itself once it runs, and the kernel drops a thread
%% from /proc a moment after its join: so the count is waited for, not read once.
runtime_threads() ->
    Dir = "/proc/" ++ os:getpid() ++ "/task",
    {ok, Tasks} = file:list_dir(Dir),
    length([T || T <- Tasks,
                 case file:read_file(filename:join([Dir, T, "comm"])) of
                     {ok, <<"erldrv-tokio-", _/binary>>} -> true;
                     _ -> false
                 end]).

request(P, Words) -> erldrv:request(P, 0, Words).
request(P, Words, Timeout) -> erldrv:request(P, 0, Words, Timeout).

%% 1,000 callers, each waiting for a future that waits 200 ms on a timer. A future that held
%% one of the 2 runtime threads while it waits would let 2 wait at once, and the thousand
%% would take 100 s; the structural checks are that hundreds are inside their timer at once
%% and that all are done within 20 s (in practice within a second).
many_timers() ->
    P = erldrv_test:open(?DRV),
    _ = port_control(P, 0, "reset"),
    Self = self(),
    N = 1000,
    Go = make_ref(),
    Pids = [spawn_link(fun() ->
                               receive Go -> ok end,
                               Self ! {self(), request(P, "sleep 200", 30000)}
                       end) || _ <- lists:seq(1, N)],
    T0 = erlang:monotonic_time(millisecond),
    [Pid ! Go || Pid <- Pids],
    Results = [receive {Pid, R} -> R after 30000 -> error({no_reply, Pid}) end || Pid <- Pids],
    Elapsed = erlang:monotonic_time(millisecond) - T0,
    ?assertEqual(lists:duplicate(N, {ok, 200}), Results),
    ?assert(Elapsed >= 200),
    ?assert(Elapsed < 20000),
    #{most_in_timer := Most, workers := Workers} = stats(P),
    io:format("1000 futures of 200 ms: ~b ms, at most ~b in their timer at once~n",
              [Elapsed, Most]),
    ?assert(Most >= 100),
    ?assertEqual(?THREADS, Workers),
    %% The runtime has exactly its workers: no thread was started per future.
    ok = erldrv_test:wait_until(fun() -> runtime_threads() =:= ?THREADS end, 5000),
    ok = erldrv_test:wait_until(fun() -> stat(P, live) =:= 0 end, 5000),
    port_close(P),
    ?assertEqual([], flush_all()).

replies_and_errors() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual({ok, 5}, request(P, "sleep 5")),
    ?assertEqual({error, <<"nope">>}, request(P, "error nope")),
    {ok, Thread} = request(P, "thread"),
    ?assertMatch(<<"erldrv-tokio-", _/binary>>, Thread),
    ?assertEqual({error, {badarg, <<"unknown command">>}}, request(P, "what")),
    ok = erldrv_test:wait_until(fun() -> stat(P, live) =:= 0 end, 5000),
    port_close(P),
    ?assertEqual([], flush_all()).

%% Ten callers wait on timers while another's future panics: it alone gets the panic, and
%% the port stays open. The owner is not told: the panic had a caller to answer.
panic_answers_its_caller() ->
    P = erldrv_test:open(?DRV),
    Ids = [erldrv:send_request(P, 0, "sleep 50") || _ <- lists:seq(1, 10)],
    ?assertEqual({error, {erldrv_panic, <<"deliberate panic in a future">>}},
                 request(P, "panic")),
    [?assertEqual({ok, 50}, erldrv:await(Id, 5000)) || Id <- Ids],
    ?assertEqual({ok, 1}, request(P, "sleep 1")),
    ok = erldrv_test:wait_until(fun() -> stat(P, live) =:= 0 end, 5000),
    erldrv_test:no_message(P),
    port_close(P),
    ?assertEqual([], flush_all()).

%% await/2 gives up on futures that never finish: each is dropped (its guard counts the
%% drop), nothing is left alive, and no late reply arrives.
timeout_drops() ->
    P = erldrv_test:open(?DRV),
    D0 = stat(P, dropped),
    ?assertEqual({error, timeout}, request(P, "pending", 50)),
    ok = erldrv_test:wait_until(fun() -> stat(P, dropped) =:= D0 + 1 end, 5000),
    ok = erldrv_test:wait_until(fun() -> stat(P, live) =:= 0 end, 5000),
    %% Many at once, from many callers.
    Self = self(),
    Pids = [spawn_link(fun() -> Self ! {self(), request(P, "pending", 20)} end)
            || _ <- lists:seq(1, 100)],
    [receive {Pid, R} -> ?assertEqual({error, timeout}, R) after 5000 -> error(no_timeout) end
     || Pid <- Pids],
    ok = erldrv_test:wait_until(fun() -> stat(P, dropped) =:= D0 + 101 end, 5000),
    ok = erldrv_test:wait_until(fun() -> stat(P, live) =:= 0 end, 5000),
    %% The port serves on.
    ?assertEqual({ok, 1}, request(P, "sleep 1")),
    port_close(P),
    ?assertEqual([], flush_all()).

%% A port closed with futures waiting, of callers and without: the callers get
%% {error, closed}, every future is dropped, nothing is left alive.
close_drops() ->
    P = erldrv_test:open(?DRV),
    Q = erldrv_test:open(?DRV),
    D0 = stat(Q, dropped),
    Ids = [erldrv:send_request(P, 0, "pending") || _ <- lists:seq(1, 20)],
    ?assertEqual({ok, 100}, request(P, "fill 100")),
    ok = erldrv_test:wait_until(fun() -> stat(Q, live) =:= 120 end, 5000),
    port_close(P),
    [?assertEqual({error, closed}, erldrv:await(Id, 5000)) || Id <- Ids],
    ok = erldrv_test:wait_until(fun() -> stat(Q, dropped) =:= D0 + 120 end, 5000),
    ok = erldrv_test:wait_until(fun() -> stat(Q, live) =:= 0 end, 5000),
    port_close(Q),
    ?assertEqual([], flush_all()).

%% At most ?BOUND futures are alive at once: past that, a caller gets {error, busy} and a
%% future without a caller is refused; once they are gone there is room again.
bounded() ->
    P = erldrv_test:open(?DRV),
    Q = erldrv_test:open(?DRV),
    ?assertEqual({ok, ?BOUND}, request(P, "fill " ++ integer_to_list(?BOUND + 10))),
    ?assertEqual(?BOUND, stat(Q, live)),
    ?assertEqual({error, busy}, request(Q, "sleep 1")),
    ?assertEqual({ok, 0}, request(Q, "fill 1")),
    port_close(P),
    ok = erldrv_test:wait_until(fun() -> stat(Q, live) =:= 0 end, 5000),
    ?assertEqual({ok, 1}, request(Q, "sleep 1")),
    port_close(Q),
    ?assertEqual([], flush_all()).

port_futures() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual({ok, true}, request(P, "job")),
    receive {job_done, 1} -> ok after 5000 -> error(no_job_output) end,
    ?assertEqual({ok, true}, request(P, "job_panic")),
    receive {P, {erldrv_job_panic, <<"deliberate panic in a spawn_future">>}} -> ok
    after 5000 -> error(no_job_panic)
    end,
    %% The port is still open.
    ?assertEqual({ok, 1}, request(P, "sleep 1")),
    ok = erldrv_test:wait_until(fun() -> stat(P, live) =:= 0 end, 5000),
    port_close(P),
    ?assertEqual([], flush_all()).

flush_all() ->
    receive M -> [M | flush_all()] after 0 -> [] end.
