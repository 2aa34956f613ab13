%% The term codec against the VM's: random terms of every type go through port_call,
%% are decoded by the driver (as a tree, and as typed Rust values), encoded back, and must
%% come back identical. Bad arguments come back as {erldrv_badarg, Message}.
-module(etf_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "etf_drv").
-define(CASES, 5000).

etf_test_() ->
    {setup,
     fun() -> ok = erldrv_test:load(?DRV), erldrv_test:open(?DRV) end,
     fun(P) -> port_close(P) end,
     fun(P) ->
         [{"every kind of term", fun() -> every_kind(P) end},
          {timeout, 120, {"random terms as trees", fun() -> random_trees(P) end}},
          {timeout, 60, {"random typed values", fun() -> random_typed(P) end}},
          {"serde types", fun() -> serde(P) end},
          {"bad arguments say what was expected", fun() -> bad_arguments(P) end},
          {"erldrv:call/3 raises them", fun() -> raised(P) end}]
     end}.

echo(P, T) -> erlang:port_call(P, 0, {echo, T}).

every_kind(P) ->
    Terms = [0, 255, 256, -1, 2147483647, -2147483648, 2147483648, 1 bsl 63, -(1 bsl 63),
             1 bsl 64, 1 bsl 200, -(1 bsl 1000), 0.0, -0.0, 1.5, -1.0e300, 5.0e-324,
             a, '', 'with space', 'héllo', '日本語', list_to_atom(lists:duplicate(255, $x)),
             <<>>, <<1, 2, 3>>, <<1:1>>, <<7, 3:5>>, binary:copy(<<"z">>, 100000),
             {}, {a}, list_to_tuple(lists:seq(1, 300)), [], [1], "abc", lists:seq(0, 255),
             lists:seq(1, 70000), [a | b], [1, 2 | <<3>>], [[[]]], #{}, #{a => 1},
             maps:from_list([{I, I} || I <- lists:seq(1, 100)]), self(), hd(erlang:ports()),
             make_ref(), fun() -> ok end, fun lists:map/2, {self(), [#{k => [v]}], <<"x">>}],
    [?assertEqual({T}, {echo(P, T)}) || T <- Terms],
    [?assert(echo(P, T) =:= T) || T <- Terms].

random_trees(P) ->
    rand:seed(exsss, {1, 2, 3}),
    lists:foreach(
      fun(_) ->
          T = random_term(4),
          case echo(P, T) of
              R when R =:= T -> ok;
              R -> erlang:error({mismatch, T, R})
          end
      end, lists:seq(1, ?CASES)).

random_typed(P) ->
    rand:seed(exsss, {4, 5, 6}),
    lists:foreach(
      fun(_) ->
          T = {rand_int(63), rand:uniform(1 bsl 64) - 1, rand_float(), rand:uniform(2) =:= 1,
               unicode:characters_to_binary(rand_chars()), rand_bytes(),
               [rand_int(63) || _ <- lists:seq(1, rand:uniform(5) - 1)],
               pick([undefined, rand_int(31)]),
               maps:from_list([{unicode:characters_to_binary(rand_chars()), rand_bytes()}
                               || _ <- lists:seq(1, rand:uniform(4) - 1)]),
               rand_atom(), pick([$a, 16#10FFFF, 16#E9, 0]), rand_int(127)},
          ?assert(erlang:port_call(P, 0, {typed, T}) =:= T)
      end, lists:seq(1, ?CASES div 5)).

bad_arguments(P) ->
    Cases =
        [{x, <<"port_call arguments: expected a tuple, found an atom">>},
         {{echo}, <<"port_call arguments: expected a tuple of 2 elements, found a tuple of 1 elements">>},
         {{other, 1}, <<"port_call arguments: expected echo, typed, serde or refuse, found the atom other">>},
         {{"echo", 1}, <<"port_call arguments: expected an atom, found a list (the mode, element 1)">>},
         {{typed, {1, 2}},
          <<"port_call arguments: expected a tuple of 12 elements, found a tuple of 2 elements "
            "(the term, element 2)">>},
         {{typed, setelement(1, typed_ok(), 1 bsl 64)},
          <<"port_call arguments: integer 18446744073709551616 is out of range for i64 "
            "(element 1 of a tuple, in the term, element 2)">>},
         {{typed, setelement(2, typed_ok(), -1)},
          <<"port_call arguments: integer -1 is out of range for u64 (element 2 of a tuple, "
            "in the term, element 2)">>},
         {{typed, setelement(3, typed_ok(), 1)},
          <<"port_call arguments: expected a float, found an integer (element 3 of a tuple, "
            "in the term, element 2)">>},
         {{typed, setelement(5, typed_ok(), <<255>>)},
          <<"port_call arguments: expected a UTF-8 binary, found a binary that is not UTF-8 "
            "(element 5 of a tuple, in the term, element 2)">>},
         {{typed, setelement(7, typed_ok(), [1, x])},
          <<"port_call arguments: expected an integer, found an atom (element 2 of a list, "
            "in element 7 of a tuple, in the term, element 2)">>},
         {{typed, setelement(11, typed_ok(), 16#110000)},
          <<"port_call arguments: integer 1114112 is out of range for char (element 11 of a "
            "tuple, in the term, element 2)">>},
         {{refuse, x}, <<"refused">>}],
    [?assertEqual({Args, {erldrv_badarg, Msg}}, {Args, erlang:port_call(P, 0, Args)})
     || {Args, Msg} <- Cases],
    %% The port is still fine.
    ?assertEqual(ok, echo(P, ok)).

serde(P) ->
    Readings = [#{sensor => <<"t1">>, values => [1.5, -2.0], tags => #{<<"room">> => 3},
                  unit => celsius, note => undefined},
                #{sensor => <<"é"/utf8>>, values => [], tags => #{},
                  unit => {custom, <<"lux">>}, note => <<"n">>},
                #{sensor => <<>>, values => [0.0], tags => #{<<"a">> => -1, <<"b">> => 1 bsl 40},
                  unit => kelvin, note => undefined}],
    [?assertEqual(R, erlang:port_call(P, 0, {serde, R})) || R <- Readings],
    {erldrv_badarg, Msg} = erlang:port_call(P, 0, {serde, #{sensor => 1}}),
    ?assertMatch(<<"port_call arguments: ", _/binary>>, Msg).

typed_ok() ->
    {1, 2, 3.0, true, <<"s">>, <<"b">>, [1], undefined, #{}, a, $c, 5}.

raised(P) ->
    ?assertEqual(typed_ok(), erldrv:call(P, 0, {typed, typed_ok()})),
    ?assertError({badarg, <<"port_call arguments: expected a tuple, found an atom">>},
                 erldrv:call(P, 0, x)).

%% ---- random terms ----

random_term(0) -> random_leaf();
random_term(D) ->
    case rand:uniform(10) of
        N when N =< 5 -> random_leaf();
        6 -> list_to_tuple(random_list(D));
        7 -> random_list(D);
        8 -> random_list(D) ++ random_leaf_not_list();
        9 -> maps:from_list([{random_term(D - 1), random_term(D - 1)}
                             || _ <- lists:seq(1, rand:uniform(4) - 1)]);
        10 -> [rand:uniform(256) - 1 || _ <- lists:seq(1, rand:uniform(10))]
    end.

random_list(D) -> [random_term(D - 1) || _ <- lists:seq(1, rand:uniform(5) - 1)].

random_leaf_not_list() ->
    case random_leaf() of
        L when is_list(L) -> x;
        T -> T
    end.

random_leaf() ->
    case rand:uniform(14) of
        1 -> rand:uniform(256) - 1;
        2 -> rand_int(31);
        3 -> rand_int(63);
        4 -> rand_int(64 + rand:uniform(400));
        5 -> rand_float();
        6 -> rand_atom();
        7 -> rand_bytes();
        8 -> <<(rand_bytes())/binary, (rand:uniform(127)):(rand:uniform(7))>>;
        9 -> self();
        10 -> make_ref();
        11 -> hd(erlang:ports());
        12 -> pick([fun() -> ok end, fun lists:reverse/1, fun(X) -> X end]);
        13 -> [];
        14 -> pick([{}, #{}, <<>>, "", 0.0])
    end.

rand_int(Bits) -> rand:uniform(1 bsl Bits) - (1 bsl (Bits - 1)).

rand_float() ->
    <<F/float>> = <<(rand:uniform(16#7FE0000000000000) - 1):64>>,
    pick([F, -F]).

rand_bytes() -> rand:bytes(rand:uniform(40) - 1).

rand_chars() -> [pick([$a, $z, $\s, 16#E9, 16#65E5, 16#1F600]) || _ <- lists:seq(1, rand:uniform(6) - 1)].

%% A bounded set, so that the tests do not fill the atom table.
rand_atom() -> pick([a, ok, 'Quoted', 'héllo', '日本', '', undefined, true, 'a b']).

pick(L) -> lists:nth(rand:uniform(length(L)), L).
