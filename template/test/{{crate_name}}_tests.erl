%% EUnit tests of {{crate_name}}, run by `rebar3 eunit` against the driver built from
%% native/{{crate_name}}.
-module({{crate_name}}_tests).
-include_lib("eunit/include/eunit.hrl").

add_total_reset_test() ->
    P = {{crate_name}}:open(),
    ?assertEqual(0, {{crate_name}}:total(P)),
    ?assertEqual(5, {{crate_name}}:add(P, 5)),
    ?assertEqual(-2, {{crate_name}}:add(P, -7)),
    ?assertEqual(-2, {{crate_name}}:total(P)),
    ?assertEqual(-2, {{crate_name}}:reset(P)),
    ?assertEqual(0, {{crate_name}}:total(P)),
    {{crate_name}}:close(P).

add_bytes_test() ->
    P = {{crate_name}}:open(),
    ?assertEqual(3, {{crate_name}}:add_bytes(P, <<"abc">>)),
    %% Any iodata: 2 + 1 + 3 + 2 bytes.
    ?assertEqual(11, {{crate_name}}:add_bytes(P, [<<"io">>, $l, "ist", [<<"!!">>]])),
    ?assertEqual(16, {{crate_name}}:add(P, 5)),
    {{crate_name}}:close(P).

ports_are_independent_test() ->
    P = {{crate_name}}:open(),
    Q = {{crate_name}}:open(),
    ?assertEqual(1, {{crate_name}}:add(P, 1)),
    ?assertEqual(100, {{crate_name}}:add(Q, 100)),
    ?assertEqual(1, {{crate_name}}:total(P)),
    {{crate_name}}:close(P),
    {{crate_name}}:close(Q).

bad_arguments_say_what_was_expected_test() ->
    P = {{crate_name}}:open(),
    ?assertError({badarg, <<"port_call arguments: expected an integer, found a binary "
                            "(element 2, in {add, _}, in Request)">>},
                 {{crate_name}}:add(P, <<"1">>)),
    ?assertError({badarg, <<"unknown command 7, expected 0">>}, erldrv:call(P, 7, total)),
    ?assertEqual(1, {{crate_name}}:add(P, 1)),
    Max = 1 bsl 63 - 1,
    ?assertError({badarg, <<"adding ", _/binary>>}, {{crate_name}}:add(P, Max)),
    %% A refused call changes nothing.
    ?assertEqual(1, {{crate_name}}:total(P)),
    {{crate_name}}:close(P).

overflow_from_port_command_test() ->
    P = {{crate_name}}:open(),
    Max = 1 bsl 63 - 1,
    ?assertEqual(Max, {{crate_name}}:add(P, Max)),
    ?assertError({badarg, overflow}, {{crate_name}}:add_bytes(P, <<"x">>)),
    ?assertEqual(Max, {{crate_name}}:total(P)),
    {{crate_name}}:close(P).

hash_on_the_worker_pool_test() ->
    P = {{crate_name}}:open(),
    ?assertEqual({ok, 16#CBF29CE484222325}, {{crate_name}}:hash(P, <<>>)),
    ?assertEqual({ok, 16#AF63DC4C8601EC8C}, {{crate_name}}:hash(P, <<"a">>)),
    ?assertEqual({ok, 16#85944171F73967E8}, {{crate_name}}:hash(P, [<<"foo">>, $b, "ar"])),
    Big = binary:copy(<<"0123456789">>, 100000),
    ?assertEqual({ok, fnv1a(Big)}, {{crate_name}}:hash(P, Big)),
    %% 50 processes at once on the one port, each with its own data.
    Self = self(),
    Pids = [spawn_link(fun() ->
                               Data = integer_to_binary(I),
                               Self ! {self(), Data, {{crate_name}}:hash(P, Data)}
                       end) || I <- lists:seq(1, 50)],
    [receive {Pid, Data, Answer} -> ?assertEqual({ok, fnv1a(Data)}, Answer)
     after 5000 -> error({no_answer_from, Pid})
     end || Pid <- Pids],
    {{crate_name}}:close(P).

requests_test() ->
    P = {{crate_name}}:open(),
    %% 1 is the driver's hash command. Send now, wait later:
    Id = erldrv:send_request(P, 1, <<"abc">>),
    ?assertEqual({ok, fnv1a(<<"abc">>)}, erldrv:await(Id, 5000)),
    %% or recognise the answer among other messages, as a gen_server's handle_info would:
    self() ! other,
    Id2 = erldrv:send_request(P, 1, <<"xyz">>),
    {Answer, Others} = receive_answer(Id2, []),
    ?assertEqual({ok, fnv1a(<<"xyz">>)}, Answer),
    ?assertEqual([other], Others),
    ?assertEqual({error, {badarg, <<"unknown command 9, expected 1">>}},
                 erldrv:request(P, 9, <<>>)),
    %% A plain port_control carries no request: the driver refuses it.
    ?assertError(badarg, port_control(P, 1, <<"abc">>)),
    ?assertEqual({ok, fnv1a(<<"still">>)}, erldrv:request(P, 1, <<"still">>)),
    {{crate_name}}:close(P),
    ?assertEqual({error, closed}, erldrv:request(P, 1, <<"abc">>)).

%% The answer to request Id, and the other messages received before it.
receive_answer(Id, Others) ->
    receive
        Message ->
            case erldrv:check(Message, Id) of
                {reply, Answer} -> {Answer, lists:reverse(Others)};
                no_reply -> receive_answer(Id, [Message | Others])
            end
    after 5000 -> error(no_answer)
    end.

%% The driver's hash, written again in Erlang.
fnv1a(Data) ->
    lists:foldl(fun(Byte, H) -> ((H bxor Byte) * 16#100000001B3) band 16#FFFFFFFFFFFFFFFF end,
                16#CBF29CE484222325, binary_to_list(Data)).
