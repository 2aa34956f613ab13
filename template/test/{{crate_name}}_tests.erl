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
