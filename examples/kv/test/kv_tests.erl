%% The kv_drv example through its generated client, erlang/kv.erl (erldrv_gen, from the
%% driver's #[command] methods). kv:open/0 loads kv_drv.so from the priv directory of
%% application kv: tests/beam.rs makes that directory (KV_APP) and puts its ebin in the
%% code path.
-module(kv_tests).
-include_lib("eunit/include/eunit.hrl").

kv_test_() ->
    {inorder,
     [{"the checked-in client is what the driver generates", fun checked_in/0},
      fun put_get_delete/0,
      fun keys_and_count/0,
      fun scan_on_a_worker/0,
      fun get_bytes_fast_path/0,
      fun notifications/0,
      fun subscriber_exit_is_cleaned_up/0,
      fun closing_the_port_ends_its_subscriptions/0,
      fun bad_arguments_say_what_was_expected/0,
      {timeout, 60, fun many_processes_at_once/0}]}.

%% erlang/kv.erl is generated, never edited: it must be what erldrv_gen makes from the
%% driver just built. ERLDRV_BLESS=1 rewrites it instead of comparing.
checked_in() ->
    Out = case os:getenv("KV_CLIENT") of
              false -> error(kv_client_not_set);
              File -> File
          end,
    Check = os:getenv("ERLDRV_BLESS") =/= "1",
    case erldrv_gen:generate(#{driver_dir => erldrv_test:driver_dir(), driver => kv_drv,
                               app => kv, language => erlang, module => kv, out => Out,
                               check => Check}) of
        {ok, _} -> ok;
        {error, {stale, _}} ->
            error({stale_generated_file, Out,
                   "regenerate it: ERLDRV_BLESS=1 cargo test -p kv_drv --test beam"})
    end.

open() ->
    {ok, P} = kv:open(),
    P.

put_get_delete() ->
    P = open(),
    ?assertEqual({error, not_found}, kv:get(P, <<"a">>)),
    ?assertEqual(ok, kv:put(P, <<"a">>, <<"1">>)),
    ?assertEqual({ok, <<"1">>}, kv:get(P, <<"a">>)),
    ?assertEqual(ok, kv:put(P, <<"a">>, <<"2">>)),
    ?assertEqual({ok, <<"2">>}, kv:get(P, <<"a">>)),
    %% Another port sees the same store.
    Q = open(),
    ?assertEqual({ok, <<"2">>}, kv:get(Q, <<"a">>)),
    ?assertEqual(ok, kv:delete(Q, <<"a">>)),
    ?assertEqual({error, not_found}, kv:get(P, <<"a">>)),
    ?assertEqual(ok, kv:delete(Q, <<"a">>)),
    %% Large values go through the reply buffer's slow path.
    Big = bytes(200000),
    ?assertEqual(ok, kv:put(P, <<"big">>, Big)),
    ?assertEqual({ok, Big}, kv:get(Q, <<"big">>)),
    ok = kv:delete(P, <<"big">>),
    ok = kv:close(P),
    ok = kv:close(Q).

keys_and_count() ->
    P = open(),
    Keys = [<<"k", (integer_to_binary(I))/binary>> || I <- lists:seq(1, 100)],
    Before = kv:count(P),
    [ok = kv:put(P, K, K) || K <- Keys],
    ?assertEqual(Before + 100, kv:count(P)),
    ?assertEqual([], Keys -- kv:keys(P)),
    [ok = kv:delete(P, K) || K <- Keys],
    ?assertEqual(Before, kv:count(P)),
    ok = kv:close(P).

%% scan is an async command: it runs on the driver's workers and answers {ok, Scan}.
scan_on_a_worker() ->
    P = open(),
    Keys = [<<"s/", (integer_to_binary(I + 1000))/binary>> || I <- lists:seq(1, 3000)],
    [ok = kv:put(P, K, <<"vv">>) || K <- lists:reverse(Keys)],
    ok = kv:put(P, <<"t/other">>, <<"x">>),
    {ok, #{entries := Entries, bytes := Bytes}} = kv:scan(P, <<"s/">>),
    ?assertEqual([{K, <<"vv">>} || K <- Keys], Entries),
    ?assertEqual(6000, Bytes),
    %% A prefix as a list of bytes reads too; a prefix nothing has finds nothing.
    ?assertEqual({ok, #{entries => [{<<"t/other">>, <<"x">>}], bytes => 1}},
                 kv:scan(P, "t/", 1000)),
    ?assertEqual({ok, #{entries => [], bytes => 0}}, kv:scan(P, <<"none/">>)),
    %% Async commands from many processes at once, each answered alone.
    Self = self(),
    Pids = [spawn_link(fun() -> Self ! {scanned, self(), kv:scan(P, <<"t/">>)} end)
            || _ <- lists:seq(1, 100)],
    [receive {scanned, Pid, R} ->
         ?assertEqual({ok, #{entries => [{<<"t/other">>, <<"x">>}], bytes => 1}}, R)
     after 10000 -> error(timeout)
     end || Pid <- Pids],
    [ok = kv:delete(P, K) || K <- [<<"t/other">> | Keys]],
    ok = kv:close(P).

%% get_bytes is a bytes command: port_control, no term format.
get_bytes_fast_path() ->
    P = open(),
    ok = kv:put(P, <<"fast">>, <<"lane">>),
    ?assertEqual(<<"lane">>, kv:get_bytes(P, <<"fast">>)),
    ?assertEqual(<<>>, kv:get_bytes(P, <<"absent">>)),
    Big = bytes(100000),
    ok = kv:put(P, <<"fast">>, Big),
    ?assertEqual(Big, kv:get_bytes(P, <<"fast">>)),
    ok = kv:delete(P, <<"fast">>),
    ok = kv:close(P).

notifications() ->
    P = open(),
    ok = kv:subscribe(P),
    ok = kv:subscribe(P),
    ?assertEqual(1, kv:subscribers(P)),
    %% A change from another process, through another port.
    Writer = spawn_link(fun() ->
        Q = open(),
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
    ok = kv:close(P).

subscriber_exit_is_cleaned_up() ->
    P = open(),
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
    ok = kv:close(P).

closing_the_port_ends_its_subscriptions() ->
    P = open(),
    Q = open(),
    ok = kv:subscribe(P),
    ?assertEqual(1, kv:subscribers(Q)),
    ok = kv:close(P),
    ?assertEqual(0, kv:subscribers(Q)),
    ok = kv:put(Q, <<"c">>, <<"1">>),
    ?assertEqual(none, recv()),
    ok = kv:delete(Q, <<"c">>),
    ok = kv:close(Q).

%% Calls the specs do not allow, made on purpose (through unknown/1, so that dialyzer,
%% which checks this module too, lets them be): the driver refuses each one, naming the
%% command and the argument, and the port stays usable.
bad_arguments_say_what_was_expected() ->
    P = open(),
    ?assertError({badarg, <<"command get: expected a binary, found a list "
                            "(argument 1, `key`)">>},
                 kv:get(P, unknown("a"))),
    ?assertError({badarg, <<"command put: expected a binary, found an integer "
                            "(argument 2, `value`)">>},
                 kv:put(P, <<"k">>, unknown(7))),
    ?assertMatch({error, {badarg, <<"command scan: ", _/binary>>}},
                 kv:scan(P, unknown(an_atom))),
    ?assertError(badarg, kv:get_bytes(P, unknown(an_atom))),
    %% Still usable.
    ?assertEqual({error, not_found}, kv:get(P, <<"nope">>)),
    ok = kv:close(P).

%% Many processes, each with its own port, all writing and reading at once.
many_processes_at_once() ->
    Self = self(),
    N = 50,
    Pids = [spawn_link(fun() ->
                P = open(),
                Keys = [<<(integer_to_binary(W))/binary, "/", (integer_to_binary(I))/binary>>
                        || I <- lists:seq(1, 200)],
                [ok = kv:put(P, K, K) || K <- Keys],
                [{ok, K} = kv:get(P, K) || K <- Keys],
                [K = kv:get_bytes(P, K) || K <- Keys],
                [ok = kv:delete(P, K) || K <- Keys],
                ok = kv:close(P),
                Self ! {done, self()}
            end) || W <- lists:seq(1, N)],
    [receive {done, Pid} -> ok after 30000 -> error(timeout) end || Pid <- Pids].

recv() ->
    receive {kv, _, _} = M -> M after 200 -> none end.

bytes(N) -> list_to_binary([I rem 256 || I <- lists:seq(1, N)]).

%% X, with a type dialyzer cannot know.
-spec unknown(term()) -> term().
unknown(X) -> binary_to_term(term_to_binary(X)).
