%% EUnit tests of {{crate_name}}, run by `rebar3 eunit` against the driver built from
%% native/{{crate_name}}, through the client module generated from it
%% ({{crate_name}}_native, src/{{crate_name}}_native.erl).
-module({{crate_name}}_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, {{crate_name}}_native).

open() ->
    {ok, P} = ?DRV:open(),
    P.

add_total_reset_test() ->
    P = open(),
    ?assertEqual(0, ?DRV:total(P)),
    ?assertEqual({ok, 5}, ?DRV:add(P, 5)),
    ?assertEqual({ok, -2}, ?DRV:add(P, -7)),
    ?assertEqual(-2, ?DRV:total(P)),
    ?assertEqual(-2, ?DRV:reset(P)),
    ?assertEqual(0, ?DRV:total(P)),
    ?assertEqual(ok, ?DRV:close(P)).

add_bytes_test() ->
    P = open(),
    ?assertEqual(3, {{crate_name}}:add_bytes(P, <<"abc">>)),
    %% Any iodata: 2 + 1 + 3 + 2 bytes.
    ?assertEqual(11, {{crate_name}}:add_bytes(P, [<<"io">>, $l, "ist", [<<"!!">>]])),
    ?assertEqual({ok, 16}, ?DRV:add(P, 5)),
    ?DRV:close(P).

ports_are_independent_test() ->
    P = open(),
    Q = open(),
    ?assertEqual({ok, 1}, ?DRV:add(P, 1)),
    ?assertEqual({ok, 100}, ?DRV:add(Q, 100)),
    ?assertEqual(1, ?DRV:total(P)),
    ?DRV:close(P),
    ?DRV:close(Q).

errors_and_bad_arguments_say_why_test() ->
    P = open(),
    ?assertError({badarg, <<"command add: expected an integer, found a binary "
                            "(argument 1, `n`)">>},
                 ?DRV:add(P, <<"1">>)),
    ?assertEqual({ok, 1}, ?DRV:add(P, 1)),
    Max = 1 bsl 63 - 1,
    ?assertEqual({error, <<"adding 9223372036854775807 to 1 does not fit a 64-bit counter">>},
                 ?DRV:add(P, Max)),
    %% A refused call changes nothing.
    ?assertEqual(1, ?DRV:total(P)),
    ?DRV:close(P).

overflow_from_port_command_test() ->
    P = open(),
    Max = 1 bsl 63 - 1,
    ?assertEqual({ok, Max}, ?DRV:add(P, Max)),
    ?assertError({badarg, overflow}, {{crate_name}}:add_bytes(P, <<"x">>)),
    ?assertEqual(Max, ?DRV:total(P)),
    ?DRV:close(P).

hash_on_the_worker_pool_test() ->
    P = open(),
    ?assertEqual({ok, 16#CBF29CE484222325}, ?DRV:hash(P, <<>>)),
    ?assertEqual({ok, 16#AF63DC4C8601EC8C}, ?DRV:hash(P, <<"a">>)),
    %% A list of bytes reads as a binary.
    ?assertEqual({ok, 16#85944171F73967E8}, ?DRV:hash(P, "foobar")),
    Big = binary:copy(<<"0123456789">>, 100000),
    ?assertEqual({ok, fnv1a(Big)}, ?DRV:hash(P, Big, 10000)),
    %% 50 processes at once on the one port, each with its own data.
    Self = self(),
    Pids = [spawn_link(fun() ->
                               Data = integer_to_binary(I),
                               Self ! {self(), Data, ?DRV:hash(P, Data)}
                       end) || I <- lists:seq(1, 50)],
    [receive {Pid, Data, Answer} -> ?assertEqual({ok, fnv1a(Data)}, Answer)
     after 5000 -> error({no_answer_from, Pid})
     end || Pid <- Pids],
    %% A refused argument answers that caller alone.
    ?assertMatch({error, {badarg, <<"command hash: ", _/binary>>}}, ?DRV:hash(P, an_atom)),
    ?DRV:close(P),
    ?assertEqual({error, closed}, ?DRV:hash(P, <<"abc">>)).

%% The client checks, at open, that the driver has the interface it was generated for.
interface_is_checked_at_open_test() ->
    {ok, P} = ?DRV:open(),
    Interface = erldrv:interface(P),
    ?assertMatch(#{commands := [_ | _]}, Interface),
    Names = lists:sort([N || #{name := N} <- erldrv:commands(P)]),
    ?assertEqual([add, hash, reset, total], Names),
    ?DRV:close(P).

%% The driver's hash, written again in Erlang.
fnv1a(Data) ->
    lists:foldl(fun(Byte, H) -> ((H bxor Byte) * 16#100000001B3) band 16#FFFFFFFFFFFFFFFF end,
                16#CBF29CE484222325, binary_to_list(Data)).
