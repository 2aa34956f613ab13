%% Term output: every kind of term a driver can send, each message compared with the exact
%% Erlang term; terms the builder refuses, and the VM's own answers (a dead receiver, equal
%% map keys). Pids, port ids and owned terms as term values, carried through an async job
%% and back. Drives beam-tests/drivers/terms.
-module(terms_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "terms_drv").
-define(INTEGERS, 1).
-define(INT64, 2).
-define(FLOATS, 3).
-define(ATOMS, 4).
-define(PIDS_AND_PORT, 5).
-define(BINARIES, 6).
-define(LISTS, 7).
-define(CONTAINERS, 8).
-define(BITSTRINGS, 9).
-define(RAW, 10).
-define(LARGE, 11).
-define(REFUSED, 12).
-define(EQUAL_KEYS, 13).
-define(REMEMBER_CALLER, 14).
-define(SEND_TO_REMEMBERED, 15).
-define(REUSE, 16).
-define(MK_ATOM_UTF8, 17).
-define(EVERY_KIND, 18).
-define(MARKER, 19).

-define(TO_OWNER, 0).
-define(TO_CALLER, 1).

-define(TIMEOUT, 5000).

terms_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     [fun integers/0,
      fun int64/0,
      fun floats/0,
      fun atoms/0,
      fun pids_and_port/0,
      fun binaries_shared_and_copied/0,
      fun lists_strings_and_string_cons/0,
      fun containers/0,
      fun bitstrings/0,
      fun raw_terms/0,
      fun large_terms/0,
      fun every_kind_in_one_message/0,
      fun refused_terms_send_nothing/0,
      fun equal_map_keys_are_refused_by_the_vm/0,
      fun dead_receiver_is_not_delivered/0,
      fun builder_reuse/0,
      fun driver_mk_atom_reads_latin1/0,
      fun port_id_and_caller_are_term_values/0,
      fun owned_terms_go_through_a_job_and_back/0,
      fun owned_terms_from_ext_bytes/0,
      fun bad_ext_bytes_are_refused/0,
      fun a_pid_in_a_call_reply_is_a_panic/0]}.

%% ---- helpers ----

with_port(Fun) ->
    P = erldrv_test:open(?DRV),
    try Fun(P) after port_close(P) end.

%% The next message, whatever it is: the one expected must come first.
next() ->
    receive M -> M after ?TIMEOUT -> error(no_message) end.

next(N) -> [next() || _ <- lists:seq(1, N)].

%% Runs command Cmd three ways and checks the messages, Expected(Caller) being the list
%% of messages one call sends:
%% the owner calls it with output (it receives them); another process calls it with
%% send (that process receives them); another process calls it with output (the owner
%% receives them). Then nothing else has arrived.
expect_all(P, Cmd, Args, Expected) ->
    Owner = self(),
    ?assertEqual("ok", port_control(P, Cmd, <<?TO_OWNER, Args/binary>>)),
    Mine = Expected(Owner),
    ?assertEqual(Mine, next(length(Mine))),

    {C1, R1} = spawn_monitor(fun() ->
        Reply = port_control(P, Cmd, <<?TO_CALLER, Args/binary>>),
        Owner ! {self(), Reply, next(length(Expected(self())))}
    end),
    receive
        {C1, Reply1, Got1} ->
            ?assertEqual("ok", Reply1),
            ?assertEqual(Expected(C1), Got1)
    after ?TIMEOUT -> error(no_reply)
    end,
    receive {'DOWN', R1, process, C1, _} -> ok end,

    {C2, R2} = spawn_monitor(fun() ->
        Owner ! {self(), port_control(P, Cmd, <<?TO_OWNER, Args/binary>>)}
    end),
    receive {C2, Reply2} -> ?assertEqual("ok", Reply2) after ?TIMEOUT -> error(no_reply) end,
    Theirs = Expected(C2),
    ?assertEqual(Theirs, next(length(Theirs))),
    receive {'DOWN', R2, process, C2, _} -> ok end,
    marker(P),
    Mine.

%% One message, the same whoever calls.
expect(P, Cmd, Args, Expected) when is_function(Expected, 1) ->
    [M] = expect_all(P, Cmd, Args, fun(C) -> [Expected(C)] end),
    M;
expect(P, Cmd, Args, Expected) ->
    expect(P, Cmd, Args, fun(_) -> Expected end).

expect(Cmd, Args, Expected) ->
    with_port(fun(P) -> expect(P, Cmd, Args, Expected) end).

%% Nothing has arrived before a marker sent now.
marker(P) ->
    ?assertEqual("ok", port_control(P, ?MARKER, <<?TO_OWNER>>)),
    ?assertEqual(marker, next()).

%% ---- tests ----

integers() ->
    expect(?INTEGERS, <<>>,
           {-(1 bsl 63), (1 bsl 63) - 1, (1 bsl 64) - 1, 0, -1,
            (1 bsl 128) - 1, -(1 bsl 127), 1 bsl 64, -(1 bsl 64)}).

int64() ->
    expect(?INT64, <<>>, {-(1 bsl 63), -1, (1 bsl 64) - 1, 0}).

floats() ->
    <<NegZero/float>> = <<1:1, 0:63>>,
    Expected = [1.5, NegZero, 1.7976931348623157e308, 5.0e-324, -2.25],
    Got = expect(?FLOATS, <<>>, Expected),
    %% Floats arrive bit for bit: -0.0 keeps its sign.
    ?assertEqual(<<1:1, 0:63>>, <<(lists:nth(2, Got))/float>>),
    ?assertEqual([<<F/float>> || F <- Expected], [<<F/float>> || F <- Got]).

atoms() ->
    Hello = list_to_atom([$h, 233, $l, $l, $o]),
    RunTime = list_to_atom([$r, 252, $n, $_, $t, $i, $m, $e]),
    Nul = list_to_atom("nul" ++ [0] ++ "inside"),
    expect(?ATOMS, <<>>, {ok, Hello, erldrv_runtime_atom, RunTime, Nul, true, undefined}).

pids_and_port() ->
    Owner = self(),
    with_port(fun(P) ->
        expect(P, ?PIDS_AND_PORT, <<>>, fun(Caller) -> {Caller, Owner, P} end)
    end).

binaries_shared_and_copied() ->
    All = list_to_binary(lists:seq(0, 199)),
    {_, Part, Small, Whole, Empty} =
        expect(?BINARIES, <<>>,
               {<<"copied">>, binary:part(All, 10, 100), <<3, 4, 5, 6>>, All, <<>>}),
    %% The 100-byte part was not copied: it still refers to the driver's 200 bytes.
    ?assertEqual(200, binary:referenced_byte_size(Part)),
    ?assertEqual(200, binary:referenced_byte_size(Whole)),
    %% Small parts are copied by the VM (refc binaries start above 64 bytes).
    ?assertEqual(4, binary:referenced_byte_size(Small)),
    ?assertEqual(<<>>, Empty).

lists_strings_and_string_cons() ->
    expect(?LISTS, <<>>,
           {"abc", [], "abc123", [$x, $y | ok], [1, 2 | 3], tail, [[]]}).

containers() ->
    expect(?CONTAINERS, <<"builder">>,
           {[], {}, #{}, [1, [2, [3]]], #{a => [1], {k} => #{}}}),
    expect(?CONTAINERS, <<"value">>,
           {[], {}, #{}, [[1], []], #{<<"a">> => [1, 2], <<"b">> => []}}).

bitstrings() ->
    expect(?BITSTRINGS, <<>>, {<<1:1>>, <<255, 3:2>>, <<"ab">>}).

raw_terms() ->
    T = {self(), make_ref(), fun lists:reverse/1, "str", 1.5, <<1:3>>, #{x => [y]}},
    expect(?RAW, term_to_binary(T), {raw, T}).

large_terms() ->
    expect(?LARGE, <<>>,
           {list_to_tuple(lists:seq(0, 999)),
            lists:seq(0, 99999),
            maps:from_list([{I, I * I} || I <- lists:seq(0, 39)]),
            lists:duplicate(70000, $x),
            binary:copy(<<7>>, 100000)}).

every_kind_in_one_message() ->
    with_port(fun(P) ->
        expect(P, ?EVERY_KIND, <<>>,
               fun(Caller) ->
                   {ok, -1, (1 bsl 64) - 1, -(1 bsl 63), (1 bsl 64) - 1, 0.5, P, Caller,
                    list_to_binary(lists:seq(150, 199)), <<"copied">>, "str", "cons",
                    [1], {2}, #{3 => 4}, [], 1 bsl 100}
               end)
    end).

refused_terms_send_nothing() ->
    Cases =
        [{0, "the term is incomplete: a tuple of 3 elements is missing 1"},
         {1, "a term was written after the term was complete "
             "(more elements than announced, or two terms)"},
         {2, "the float NaN cannot be sent: Erlang floats are finite"},
         {3, "the float inf cannot be sent: Erlang floats are finite"},
         {4, "a bitstring's last byte holds 1 to 8 bits, not 0"},
         {5, "binary range 150+51 is outside a binary of 200 bytes"},
         {6, "no term was written"},
         {7, "a term was written after the term was complete "
             "(more elements than announced, or two terms)"}],
    with_port(fun(P) ->
        [begin
             ?assertEqual({N, "error: " ++ Msg},
                          {N, port_control(P, ?REFUSED, <<To, N>>)}),
             marker(P)
         end || {N, Msg} <- Cases, To <- [?TO_OWNER, ?TO_CALLER]]
    end).

equal_map_keys_are_refused_by_the_vm() ->
    with_port(fun(P) ->
        ?assertEqual("error: the VM refused the term (returned -1); "
                     "a map with equal keys is one cause",
                     port_control(P, ?EQUAL_KEYS, <<?TO_OWNER>>)),
        marker(P)
    end).

dead_receiver_is_not_delivered() ->
    with_port(fun(P) ->
        %% A live receiver gets the message.
        ?assertEqual("ok", port_control(P, ?REMEMBER_CALLER, <<?TO_OWNER>>)),
        ?assertEqual("ok", port_control(P, ?SEND_TO_REMEMBERED, <<?TO_OWNER>>)),
        ?assertEqual(ok, next()),
        %% A dead one does not; the driver is told.
        {Pid, Ref} = spawn_monitor(fun() ->
            "ok" = port_control(P, ?REMEMBER_CALLER, <<?TO_OWNER>>)
        end),
        receive {'DOWN', Ref, process, Pid, normal} -> ok
        after ?TIMEOUT -> error(no_down)
        end,
        ?assertEqual("not_delivered", port_control(P, ?SEND_TO_REMEMBERED, <<?TO_OWNER>>)),
        marker(P)
    end).

builder_reuse() ->
    with_port(fun(P) ->
        Expected = [{reused, 0}, {reused, 1}, {reused, 1}, {reused, 2}],
        %% Twice: the builder kept in the port's state starts over each time.
        [?assertEqual(Expected,
                      expect_all(P, ?REUSE, <<>>, fun(_) -> Expected end))
         || _ <- [1, 2]]
    end).

%% Why the builder never gives driver_mk_atom a name that is not ASCII: it reads the bytes
%% as Latin-1, so the UTF-8 bytes of 'héllo' make another atom.
driver_mk_atom_reads_latin1() ->
    with_port(fun(P) ->
        ?assertEqual("ok", port_control(P, ?MK_ATOM_UTF8, <<?TO_OWNER>>)),
        Got = next(),
        ?assertEqual(list_to_atom([$h, 16#C3, 16#A9, $l, $l, $o]), Got),
        ?assertNotEqual(list_to_atom([$h, 233, $l, $l, $o]), Got)
    end).

%% ---- pids, port ids and owned terms as values (port_call) ----

call(P, Request) -> erldrv:call(P, 0, Request).

%% {Port, Caller, X} from port.id() and port.caller(): the owner receives it whoever calls.
port_id_and_caller_are_term_values() ->
    Me = self(),
    with_port(fun(P) ->
        X = {make_ref(), [1, <<"two">>, #{three => 3}]},
        ?assertEqual(ok, call(P, {output_ids, X})),
        ?assertEqual({P, Me, X}, next()),
        {Other, Mon} = spawn_monitor(fun() -> ok = call(P, {output_ids, X}) end),
        receive {'DOWN', Mon, process, Other, normal} -> ok
        after ?TIMEOUT -> error(no_down)
        end,
        ?assertEqual({P, Other, X}, next()),
        marker(P)
    end).

%% Terms of every kind, held as OwnedTerm, moved into an async job, sent from the job's
%% thread with the port id and caller's pid, returned by the job and sent again from
%% ready_async: each arrives equal (=:=) to what was sent.
owned_terms_go_through_a_job_and_back() ->
    Me = self(),
    Big = binary:copy(<<1, 2, 3, 4, 5, 6, 7, 8>>, 128 * 1024),
    Anything =
        [ok,
         Big,
         binary:part(Big, 3, 100000),
         #{a => 1, <<"k">> => [1, 2, 3], {t} => #{nested => true}},
         maps:from_list([{I, {I, integer_to_binary(I)}} || I <- lists:seq(1, 100)]),
         {1, {2, {3, {4, {5, [self(), make_ref()]}}}}},
         [1.5, -(1 bsl 100), "str", list_to_atom([$h, 233, $l, $l, $o]), <<1:3>>,
          fun lists:reverse/1, fun() -> Me end, [a | b], {}, #{}, []]],
    with_port(fun(P) ->
        [begin
             X = {make_ref(), A},
             ?assertEqual(ok, call(P, {round_trip, X})),
             receive
                 {from_job, Port, Caller, FromJob} ->
                     ?assertEqual({P, Me}, {Port, Caller}),
                     ?assertEqual(X, FromJob)
             after ?TIMEOUT -> error({no_message_from_the_job, X})
             end,
             receive
                 {ready_async, Back} -> ?assertEqual(X, Back)
             after ?TIMEOUT -> error({no_message_from_ready_async, X})
             end
         end || A <- Anything],
        marker(P)
    end).

%% Bytes from term_to_binary/1,2 come back as the term, through the port_call reply.
owned_terms_from_ext_bytes() ->
    with_port(fun(P) ->
        [?assertEqual(T, call(P, {from_ext, term_to_binary(T, Opts)}))
         || T <- [{make_ref(), self(), P}, binary:copy(<<"x">>, 100000), #{a => [b | c]}],
            Opts <- [[], [{minor_version, 0}], [deterministic]]]
    end).

bad_ext_bytes_are_refused() ->
    Compressed = term_to_binary(lists:duplicate(100, a), [compressed]),
    <<131, 80, Size:32, Zlib/binary>> = Compressed,
    %% A compressed term is inflated; one whose size lies is refused.
    Lying = <<131, 80, (Size + 1):32, Zlib/binary>>,
    Cases =
        [{<<>>, <<"the term ends too early (truncated input)">>},
         {<<130, 97, 1>>, <<"not in the external term format: the first byte is 130, not 131">>},
         {Lying, <<"malformed compressed term: the term inflates to ",
                   (integer_to_binary(Size))/binary, " bytes, not the announced ",
                   (integer_to_binary(Size + 1))/binary>>},
         {<<131, 200>>, <<"unknown or unsupported term tag 200">>},
         {binary:part(term_to_binary({a, <<"bc">>}), 0, 10),
          <<"the term ends too early (truncated input)">>},
         {<<(term_to_binary(1))/binary, 0>>, <<"1 bytes left after the term">>}],
    with_port(fun(P) ->
        [?assertError({badarg, <<"not a term: ", Why/binary>>}, call(P, {from_ext, Bytes}))
         || {Bytes, Why} <- Cases],
        %% The port carries on.
        ?assertEqual(ok, call(P, {from_ext, term_to_binary(ok)})),
        ?assertEqual(lists:duplicate(100, a), call(P, {from_ext, Compressed}))
    end).

%% A pid cannot be written into a port_call reply (the external format): the panic says so,
%% and closes the port like any panic in a callback.
a_pid_in_a_call_reply_is_a_panic() ->
    process_flag(trap_exit, true),
    P = erldrv_test:open(?DRV),
    try
        call(P, pid_in_reply),
        error(no_panic)
    catch
        error:{erldrv_panic, Msg} ->
            ?assertMatch({match, _},
                         re:run(Msg, "^a Pid cannot be written in the external term format"))
    end,
    ?assertEqual(erldrv_panic, erldrv_test:recv_exit(P)),
    process_flag(trap_exit, false).
