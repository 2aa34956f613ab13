-module(hasher_tests).
-include_lib("eunit/include/eunit.hrl").

-define(MiB, 1048576).

hasher_test_() ->
    {setup, fun() -> ok = hasher:load(erldrv_test:driver_dir()) end,
     {inorder,
      [{"known vectors and crypto:hash, both paths", fun digests/0},
       {"64 MiB, hashed by reference", {timeout, 60, fun big_binary/0}},
       {"200 callers on one port", {timeout, 60, fun many_callers/0}},
       {"a timeout leaves no message behind", {timeout, 60, fun timeouts/0}},
       {"non-blocking: send_sha256, then await or check", fun non_blocking/0},
       {"closing the port answers closed", fun closed_port/0},
       {"bad input is refused, the port goes on", fun bad_input/0}]}}.

digests() ->
    P = hasher:open(),
    %% FIPS 180-2 examples; the million a's go to a job.
    ?assertEqual({ok, hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")},
                 hasher:sha256(P, <<>>)),
    ?assertEqual({ok, hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")},
                 hasher:sha256(P, "abc")),
    ?assertEqual({ok, hex("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")},
                 hasher:sha256(P, <<"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq">>)),
    ?assertEqual({ok, hex("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")},
                 hasher:sha256(P, binary:copy(<<"a">>, 1000000))),
    %% Around the block size and the control/job threshold (16384).
    [?assertEqual({ok, crypto:hash(sha256, D)}, hasher:sha256(P, D))
     || N <- [1, 55, 56, 63, 64, 65, 16383, 16384, 16385, 100000],
        D <- [crypto:strong_rand_bytes(N)]],
    %% iodata of every shape: nested lists, bytes, sub-binaries, big and small parts.
    Big = crypto:strong_rand_bytes(300000),
    <<_:7/binary, Sub:200000/binary, _/binary>> = Big,
    [?assertEqual({ok, crypto:hash(sha256, D)}, hasher:sha256(P, D))
     || D <- [[<<"ab">>, $c, [[], "de", [<<>>]]],
              [Big, "x", Sub, [Big, <<"tail">>]],
              [Sub],
              lists:duplicate(1000, <<"0123456789">>)]],
    hasher:close(P).

big_binary() ->
    P = hasher:open(),
    Big = crypto:strong_rand_bytes(64 * ?MiB),
    #{bytes_by_reference := Before} = hasher:info(P),
    ?assertEqual({ok, crypto:hash(sha256, Big)}, hasher:sha256(P, Big, 30000)),
    #{bytes_by_reference := After} = hasher:info(P),
    %% The 64 MiB were read where the VM keeps them, not copied.
    ?assertEqual(64 * ?MiB, After - Before),
    hasher:close(P).

%% Many processes share one port; each gets its own digest and nothing else.
many_callers() ->
    P = hasher:open(),
    Self = self(),
    Sizes = [0, 100, 16384, 16385, 65536, 200000],
    Pids = [spawn_link(fun() ->
                           Data = [crypto:strong_rand_bytes(lists:nth(1 + I rem 6, Sizes)),
                                   integer_to_binary(I)],
                           R = hasher:sha256(P, Data, 30000),
                           Self ! {self(), R =:= {ok, crypto:hash(sha256, Data)},
                                   process_info(self(), message_queue_len)}
                       end) || I <- lists:seq(1, 200)],
    [receive {Pid, Ok, Queue} ->
             ?assert(Ok),
             ?assertEqual({message_queue_len, 0}, Queue)
     after 30000 -> error({no_reply_from, Pid})
     end || Pid <- Pids],
    hasher:close(P).

%% A caller that gives up gets {error, timeout}; its job is dropped or stops at its next
%% chunk, and no late reply reaches the mailbox.
timeouts() ->
    P = hasher:open(),
    Big = crypto:strong_rand_bytes(64 * ?MiB),
    ?assertEqual({error, timeout}, hasher:sha256(P, Big, 0)),
    ?assertEqual({error, timeout}, hasher:sha256(P, Big, 1)),
    %% Replies racing their cancellation: whichever wins, nothing is left over.
    Mid = crypto:strong_rand_bytes(?MiB),
    Results = [hasher:sha256(P, Mid, T rem 3) || T <- lists:seq(1, 100)],
    Digest = crypto:hash(sha256, Mid),
    ?assertEqual([], [R || R <- Results, R =/= {ok, Digest}, R =/= {error, timeout}]),
    ok = erldrv_test:wait_until(fun() -> maps:get(jobs, hasher:info(P)) =:= 0 end, 10000),
    ?assertEqual([], flush()),
    %% And the port still works.
    ?assertEqual({ok, crypto:hash(sha256, Big)}, hasher:sha256(P, Big, 30000)),
    hasher:close(P).

non_blocking() ->
    P = hasher:open(),
    Inputs = [crypto:strong_rand_bytes(N) || N <- [10, 20000, 3 * ?MiB]],
    Ids = [hasher:send_sha256(P, D) || D <- Inputs],
    %% As a gen_server's handle_info/2 would: each message checked against the requests.
    Replies = collect(Ids, #{}),
    ?assertEqual([{ok, crypto:hash(sha256, D)} || D <- Inputs],
                 [maps:get(Id, Replies) || Id <- Ids]),
    Id = hasher:send_sha256(P, <<"abc">>),
    ?assertMatch({ok, <<16#ba, 16#78, _/binary>>}, erldrv:await(Id, 5000)),
    ?assertEqual([], flush()),
    hasher:close(P).

collect([], Replies) -> Replies;
collect(Ids, Replies) ->
    receive
        Msg ->
            case [{Id, R} || Id <- Ids, {reply, R} <- [erldrv:check(Msg, Id)]] of
                [{Id, R}] -> collect(Ids -- [Id], Replies#{Id => R});
                [] -> error({unexpected, Msg})
            end
    after 10000 -> error({no_reply_for, Ids})
    end.

closed_port() ->
    P = hasher:open(),
    Big = crypto:strong_rand_bytes(8 * ?MiB),
    Ids = [hasher:send_sha256(P, Big) || _ <- lists:seq(1, 20)],
    hasher:close(P),
    %% Each in-flight request is answered: the digest if its job was done, else closed.
    Digest = crypto:hash(sha256, Big),
    [?assert(lists:member(erldrv:await(Id, 5000), [{ok, Digest}, {error, closed}])) || Id <- Ids],
    ?assertEqual({error, closed}, hasher:sha256(P, <<"late">>)),
    ?assertEqual({error, closed}, hasher:sha256(P, Big)),
    ?assertEqual([], flush()).

bad_input() ->
    P = hasher:open(),
    [?assertError(badarg, hasher:sha256(P, Bad))
     || Bad <- [foo, [<<"a">>, foo], [256], <<1:3>>, {<<"a">>}, [-1], 3.0]],
    ?assertError(badarg, hasher:send_sha256(P, [self()])),
    %% A request the driver does not know; a query it does not know.
    ?assertEqual({error, {badarg, <<"hash_drv: unknown command 7, expected 1 (SHA-256)">>}},
                 erldrv:request(P, 7, <<>>)),
    ?assertError({badarg, <<"port_call arguments: expected info, found the atom stats "
                            "(Query)">>},
                 erldrv:call(P, 0, stats)),
    %% Data that did not come through hasher: nobody to answer but the owner.
    true = port_command(P, <<"not a request">>),
    ?assertEqual({P, {error, <<"hash_drv: send data with hasher:sha256/2">>}},
                 receive {P, _} = M -> M after 5000 -> none end),
    %% Nothing was lost: the port still answers, and nothing else is in the mailbox.
    ?assertEqual({ok, crypto:hash(sha256, "ok")}, hasher:sha256(P, "ok")),
    ?assertEqual([], flush()),
    hasher:close(P).

hex(Text) -> binary:decode_hex(list_to_binary(Text)).

flush() ->
    receive M -> [M | flush()] after 0 -> [] end.
