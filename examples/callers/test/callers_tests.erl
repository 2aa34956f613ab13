%% EUnit tests of examples/callers (the client callers.erl and the gen_server
%% callers_server.erl), run in a real BEAM by `cargo test -p callers_drv`.
-module(callers_tests).
-include_lib("eunit/include/eunit.hrl").

-define(MASK, 16#FFFFFFFFFFFFFFFF).
%% The round count whose job panics.
-define(PANICS, 16#FFFFFFFFFFFFFFFF).
%% The pool's size for these tests (the default follows the schedulers).
-define(WORKERS, 4).

callers_test_() ->
    {setup,
     fun() -> ok = erldrv:load(erldrv_test:driver_dir(), "callers_drv", [{workers, ?WORKERS}]) end,
     [{"one caller, many sizes of job", fun one_caller/0},
      {"1 caller", {timeout, 60, fun() -> concurrent(fun callers:work/2, plain, 1) end}},
      {"4 callers at once", {timeout, 60, fun() -> concurrent(fun callers:work/2, plain, 4) end}},
      {"16 callers at once", {timeout, 60, fun() -> concurrent(fun callers:work/2, plain, 16) end}},
      {"a job's panic reaches its caller only", fun panic_reaches_its_caller_only/0},
      {"a timeout cancels the running job", fun timeout_cancels_the_job/0},
      {"bad input is refused", fun bad_input/0},
      {"the gen_server gives identical results", {timeout, 60, fun server_identical/0}}]}.

%% The driver's job, written again in Erlang: N rounds of the 64-bit mix, from N.
expected(N) -> expected(N, N).
expected(0, X) -> X;
expected(K, X) -> expected(K - 1, step(X)).

step(X) ->
    Z0 = (X + 16#9E3779B97F4A7C15) band ?MASK,
    Z1 = ((Z0 bxor (Z0 bsr 30)) * 16#BF58476D1CE4E5B9) band ?MASK,
    Z2 = ((Z1 bxor (Z1 bsr 27)) * 16#94D049BB133111EB) band ?MASK,
    Z2 bxor (Z2 bsr 31).

one_caller() ->
    P = callers:start(),
    %% Either side of a Cancel check (every 4096 rounds), and none at all.
    [?assertEqual({ok, expected(N)}, callers:work(P, N))
     || N <- [0, 1, 2, 3, 4095, 4096, 4097, 8192, 20000]],
    ?assertEqual({ok, 0}, callers:work(P, 0)),
    callers:stop(P).

%% K processes call at once, each with round counts no other uses, so that a reply
%% delivered to the wrong caller shows. Each gets every result right, and nothing else
%% is left in its mailbox. Plain: through the shared port P; server: through the
%% gen_server S.
concurrent(Work, Via, K) ->
    Target = case Via of
                 plain -> callers:start();
                 server -> {ok, S} = callers_server:start_link(), S
             end,
    Self = self(),
    Go = make_ref(),
    Pids = [spawn_link(fun() ->
                               receive Go -> ok end,
                               Ns = [I * 100 + J || J <- lists:seq(1, 25)],
                               Got = [{N, Work(Target, N)} || N <- Ns],
                               Self ! {self(), Got, process_info(self(), message_queue_len)}
                       end) || I <- lists:seq(1, K)],
    [Pid ! Go || Pid <- Pids],
    [receive
         {Pid, Got, Queue} ->
             ?assertEqual([{N, {ok, expected(N)}} || {N, _} <- Got], Got),
             ?assertEqual({message_queue_len, 0}, Queue)
     after 30000 -> error({no_answer_from, Pid})
     end || Pid <- Pids],
    case Via of
        plain -> callers:stop(Target);
        server -> callers_server:stop(Target)
    end.

%% 16 callers, one of them with the job that panics: it alone gets the panic; the others
%% get their results, the owner hears nothing, and the port goes on.
panic_reaches_its_caller_only() ->
    P = callers:start(),
    Self = self(),
    Pids = [spawn_link(fun() ->
                               N = case I of 7 -> ?PANICS; _ -> 1000 + I end,
                               Self ! {self(), N, callers:work(P, N)}
                       end) || I <- lists:seq(1, 16)],
    Results = [receive {Pid, N, R} -> {N, R} after 10000 -> error({no_answer_from, Pid}) end
               || Pid <- Pids],
    [case N of
         ?PANICS ->
             ?assertMatch({error, {erldrv_panic, <<"callers_drv: the job for N = 2^64 - 1 "
                                                   "panics on purpose">>}}, R);
         _ ->
             ?assertEqual({ok, expected(N)}, R)
     end || {N, R} <- Results],
    ok = erldrv_test:no_message(P),
    ?assertEqual({ok, expected(5)}, callers:work(P, 5)),
    callers:stop(P).

%% Jobs far too long to finish (2^62 rounds: years), given up on after 20 ms: each stops
%% at its next Cancel check. Twice as many as there are workers, so that if a running job
%% did not stop, no worker would be left for the last call.
timeout_cancels_the_job() ->
    P = callers:start(),
    [?assertEqual({error, timeout}, callers:work(P, 1 bsl 62, 20))
     || _ <- lists:seq(1, 2 * ?WORKERS)],
    ?assertEqual({ok, expected(100)}, callers:work(P, 100, 5000)),
    ?assertEqual([], flush()),
    callers:stop(P).

bad_input() ->
    P = callers:start(),
    ?assertError(function_clause, callers:work(P, -1)),
    ?assertError(function_clause, callers:work(P, 1 bsl 64)),
    ?assertEqual({error, {badarg, <<"expected the round count N as <<N:64>>">>}},
                 erldrv:request(P, 1, <<1, 2, 3>>)),
    ?assertEqual({error, {badarg, <<"unknown command 2, expected 1">>}},
                 erldrv:request(P, 2, <<0:64>>)),
    ?assertEqual({ok, expected(3)}, callers:work(P, 3)),
    callers:stop(P).

%% The gen_server runs the same job on the scheduler: the same results, for one caller
%% and for 16 at once. It refuses what is too long for a scheduler, where a request
%% takes it.
server_identical() ->
    {ok, S} = callers_server:start_link(),
    P = callers:start(),
    [?assertEqual(callers:work(P, N), callers_server:work(S, N))
     || N <- [0, 1, 4096, 4097, 30000, 250000]],
    ?assertMatch({error, {badarg, <<"16777217 rounds is too much work", _/binary>>}},
                 callers_server:work(S, 1 bsl 24 + 1)),
    ?assertEqual({ok, expected(7)}, callers_server:work(S, 7)),
    concurrent(fun callers_server:work/2, server, 16),
    callers_server:stop(S),
    callers:stop(P).

flush() ->
    receive M -> [M | flush()] after 0 -> [] end.
