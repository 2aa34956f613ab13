-module(kv_tests).
-include_lib("eunit/include/eunit.hrl").

kv_test_() ->
    {setup, fun() -> ok = kv:load(erldrv_test:driver_dir()) end,
     [fun put_get_delete/0,
      fun keys_and_count/0,
      fun notifications/0,
      fun subscriber_exit_is_cleaned_up/0,
      fun closing_the_port_ends_its_subscriptions/0,
      fun bad_requests_say_what_was_expected/0,
      {timeout, 60, fun many_processes_at_once/0}]}.

put_get_delete() ->
    P = kv:open(),
    ?assertEqual({error, not_found}, kv:get(P, <<"a">>)),
    ?assertEqual(ok, kv:put(P, <<"a">>, <<"1">>)),
    ?assertEqual({ok, <<"1">>}, kv:get(P, <<"a">>)),
    ?assertEqual(ok, kv:put(P, <<"a">>, <<"2">>)),
    ?assertEqual({ok, <<"2">>}, kv:get(P, <<"a">>)),
    %% Another port sees the same store.
    Q = kv:open(),
    ?assertEqual({ok, <<"2">>}, kv:get(Q, <<"a">>)),
    ?assertEqual(ok, kv:delete(Q, <<"a">>)),
    ?assertEqual({error, not_found}, kv:get(P, <<"a">>)),
    ?assertEqual(ok, kv:delete(Q, <<"a">>)),
    %% Large values go through the reply buffer's slow path.
    Big = crypto_free_bytes(200000),
    ?assertEqual(ok, kv:put(P, <<"big">>, Big)),
    ?assertEqual({ok, Big}, kv:get(Q, <<"big">>)),
    ok = kv:delete(P, <<"big">>),
    kv:close(P), kv:close(Q).

keys_and_count() ->
    P = kv:open(),
    Keys = [<<"k", (integer_to_binary(I))/binary>> || I <- lists:seq(1, 100)],
    Before = kv:count(P),
    [ok = kv:put(P, K, K) || K <- Keys],
    ?assertEqual(Before + 100, kv:count(P)),
    ?assertEqual([], Keys -- kv:keys(P)),
    [ok = kv:delete(P, K) || K <- Keys],
    ?assertEqual(Before, kv:count(P)),
    kv:close(P).

notifications() ->
    P = kv:open(),
    ok = kv:subscribe(P),
    ok = kv:subscribe(P),
    ?assertEqual(1, kv:subscribers(P)),
    %% A change from another process, through another port.
    Writer = spawn_link(fun() ->
        Q = kv:open(),
        ok = kv:put(Q, <<"n">>, <<"v">>),
        ok = kv:delete(Q, <<"n">>),
        ok = kv:delete(Q, <<"n">>),
        kv:close(Q)
    end),
    ?assertEqual({kv, <<"n">>, {put, <<"v">>}}, recv()),
    ?assertEqual({kv, <<"n">>, deleted}, recv()),
    %% The second delete changed nothing: no message.
    ?assertEqual(none, recv()),
    unlink(Writer),
    ok = kv:unsubscribe(P),
    ?assertEqual(0, kv:subscribers(P)),
    ok = kv:put(P, <<"n">>, <<"w">>),
    ?assertEqual(none, recv()),
    ok = kv:delete(P, <<"n">>),
    kv:close(P).

subscriber_exit_is_cleaned_up() ->
    P = kv:open(),
    Self = self(),
    S = spawn(fun() -> ok = kv:subscribe(P), Self ! subscribed, receive stop -> ok end end),
    receive subscribed -> ok end,
    ?assertEqual(1, kv:subscribers(P)),
    Ref = monitor(process, S),
    S ! stop,
    receive {'DOWN', Ref, process, S, _} -> ok end,
    erldrv_test:wait_until(fun() -> kv:subscribers(P) =:= 0 end, 5000),
    ok = kv:put(P, <<"after">>, <<"exit">>),
    ok = kv:delete(P, <<"after">>),
    kv:close(P).

closing_the_port_ends_its_subscriptions() ->
    P = kv:open(),
    Q = kv:open(),
    ok = kv:subscribe(P),
    ?assertEqual(1, kv:subscribers(Q)),
    kv:close(P),
    ?assertEqual(0, kv:subscribers(Q)),
    ok = kv:put(Q, <<"c">>, <<"1">>),
    ?assertEqual(none, recv()),
    ok = kv:delete(Q, <<"c">>),
    kv:close(Q).

bad_requests_say_what_was_expected() ->
    P = kv:open(),
    ?assertError({badarg, <<"port_call arguments: expected a binary, found a list "
                            "(element 2, in {get, _}, in Request)">>},
                 kv:get(P, "a")),
    ?assertError({badarg, <<"unknown command 3, expected 0">>}, erldrv:call(P, 3, count)),
    ?assertEqual({erldrv_badarg, <<"port_call arguments: expected one of {get, _}, "
                                   "{put, _, _}, {delete, _}, keys, count, subscribe, "
                                   "unsubscribe, subscribers, found {frobnicate, _} (Request)">>},
                 erlang:port_call(P, 0, {frobnicate, 1})),
    %% Still usable.
    ?assertEqual({error, not_found}, kv:get(P, <<"nope">>)),
    kv:close(P).

%% Many processes, each with its own port, all writing and reading at once.
many_processes_at_once() ->
    Self = self(),
    N = 50,
    Pids = [spawn_link(fun() ->
                P = kv:open(),
                Keys = [<<(integer_to_binary(W))/binary, "/", (integer_to_binary(I))/binary>>
                        || I <- lists:seq(1, 200)],
                [ok = kv:put(P, K, K) || K <- Keys],
                [{ok, K} = kv:get(P, K) || K <- Keys],
                [ok = kv:delete(P, K) || K <- Keys],
                kv:close(P),
                Self ! {done, self()}
            end) || W <- lists:seq(1, N)],
    [receive {done, Pid} -> ok after 30000 -> error(timeout) end || Pid <- Pids].

recv() ->
    receive {kv, _, _} = M -> M after 200 -> none end.

crypto_free_bytes(N) -> list_to_binary([I rem 256 || I <- lists:seq(1, N)]).
