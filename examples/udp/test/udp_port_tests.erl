-module(udp_port_tests).
-include_lib("eunit/include/eunit.hrl").

-define(LOCAL, {127, 0, 0, 1}).
-define(LOCAL6, {0, 0, 0, 0, 0, 0, 0, 1}).

udp_port_test_() ->
    {setup, fun() -> ok = udp_port:load(erldrv_test:driver_dir()) end,
     {inorder,
      [{"datagrams from gen_udp arrive as messages", fun receives/0},
       {"sends to gen_udp and to another port", fun sends/0},
       {"5000 datagrams, in order", {timeout, 60, fun many_in_order/0}},
       {"closing the port releases the socket", fun close_releases/0},
       {"the owner's exit releases the socket", fun owner_exit_releases/0},
       {"bad arguments get clear errors, the port goes on", fun bad_arguments/0}]
      ++ [{"IPv6 loopback", fun ipv6/0} || ipv6_loopback()]}}.

receives() ->
    {ok, P} = udp_port:open(),
    N = udp_port:port_number(P),
    ?assertEqual({ok, {?LOCAL, N}}, udp_port:sockname(P)),
    S = peer(),
    {ok, SPort} = inet:port(S),
    Max = binary:copy(<<"x">>, 65507),
    [ok = gen_udp:send(S, ?LOCAL, N, D) || D <- [<<"hello">>, <<>>, Max]],
    ?assertEqual({udp, P, ?LOCAL, SPort, <<"hello">>}, recv(P)),
    ?assertEqual({udp, P, ?LOCAL, SPort, <<>>}, recv(P)),
    ?assertEqual({udp, P, ?LOCAL, SPort, Max}, recv(P)),
    gen_udp:close(S),
    udp_port:close(P),
    ?assertEqual([], flush()).

sends() ->
    {ok, P} = udp_port:open(),
    {ok, Q} = udp_port:open(),
    N = udp_port:port_number(P),
    S = peer(),
    {ok, SPort} = inet:port(S),
    ?assertEqual(ok, udp_port:send(P, ?LOCAL, SPort, [<<"io">>, $d, ["ata"]])),
    ?assertEqual({ok, {?LOCAL, N, <<"iodata">>}}, gen_udp:recv(S, 0, 5000)),
    %% Port to port, both ways.
    ?assertEqual(ok, udp_port:send(P, ?LOCAL, udp_port:port_number(Q), <<"ping">>)),
    ?assertMatch({udp, Q, ?LOCAL, N, <<"ping">>}, recv(Q)),
    ?assertEqual(ok, udp_port:send(Q, ?LOCAL, N, <<"pong">>)),
    ?assertMatch({udp, P, ?LOCAL, _, <<"pong">>}, recv(P)),
    gen_udp:close(S),
    udp_port:close(P),
    udp_port:close(Q),
    ?assertEqual([], flush()).

%% Sent in windows of 100, each read before the next goes out, so that the socket's
%% receive buffer never overflows (UDP would drop, not block). A window is more than the
%% driver reads in one ready_input, so it takes several calls.
many_in_order() ->
    {ok, P} = udp_port:open(),
    N = udp_port:port_number(P),
    S = peer(),
    lists:foreach(
      fun(Window) ->
              Seq = lists:seq(Window * 100, Window * 100 + 99),
              [ok = gen_udp:send(S, ?LOCAL, N, <<I:32>>) || I <- Seq],
              Got = [begin {udp, P, _, _, <<J:32>>} = recv(P), J end || _ <- Seq],
              ?assertEqual(Seq, Got)
      end, lists:seq(0, 49)),
    gen_udp:close(S),
    udp_port:close(P),
    ?assertEqual([], flush()).

close_releases() ->
    {ok, P} = udp_port:open(),
    N = udp_port:port_number(P),
    %% Taken while the port is open...
    ?assertEqual({error, eaddrinuse}, udp_port:open(N)),
    ?assertEqual({error, eaddrinuse}, gen_udp:open(N, [{ip, loopback}])),
    udp_port:close(P),
    %% ...free once it has closed: the VM lets go of the descriptor just after the port.
    ok = erldrv_test:wait_until(fun() -> can_bind(N) end, 5000),
    {ok, Again} = udp_port:open(N),
    ?assertEqual(N, udp_port:port_number(Again)),
    udp_port:close(Again).

owner_exit_releases() ->
    Self = self(),
    {Pid, Ref} = spawn_monitor(fun() ->
                                       {ok, P} = udp_port:open(),
                                       Self ! {port_number, udp_port:port_number(P)}
                               end),
    N = receive {port_number, No} -> No after 5000 -> error(no_port) end,
    receive {'DOWN', Ref, process, Pid, normal} -> ok end,
    ok = erldrv_test:wait_until(fun() -> can_bind(N) end, 5000).

bad_arguments() ->
    ?assertError(badarg, udp_port:open(70000)),
    ?assertError(badarg, udp_port:open(foo, 0)),
    ?assertError(badarg, udp_port:open({300, 0, 0, 1}, 0)),
    %% An address of no interface here (TEST-NET-1): the OS refuses, nothing is sent.
    ?assertEqual({error, eaddrnotavail}, udp_port:open({192, 0, 2, 1}, 0)),
    %% The driver's own check, for callers that open the port themselves.
    ?assertError({badarg, <<"udp_drv: expected a local address such as 127.0.0.1:0 or "
                            "[::1]:4000, got \"localhost\"">>},
                 erldrv:open("udp_drv", "localhost", [binary])),
    {ok, P} = udp_port:open(),
    N = udp_port:port_number(P),
    ?assertError(badarg, udp_port:send(P, ?LOCAL, N, [foo])),
    ?assertError({badarg, <<"port_call arguments: integer 70000 is out of range for u16 "
                            "(element 3, in {send, _, _, _}, in Request)">>},
                 udp_port:send(P, ?LOCAL, 70000, <<>>)),
    {'EXIT', {{badarg, BadIp}, _}} = catch udp_port:send(P, {300, 0, 0, 1}, N, <<>>),
    ?assertMatch({_, _}, binary:match(BadIp, <<"integer 300 is out of range for u8">>)),
    ?assertEqual({error, emsgsize}, udp_port:send(P, ?LOCAL, N, binary:copy(<<0>>, 65508))),
    ?assertEqual({error, eafnosupport}, udp_port:send(P, ?LOCAL6, N, <<"v6">>)),
    ?assertError({badarg, _}, erldrv:call(P, 0, {recv, 0})),
    %% None of it reached the socket, and the port still works.
    ?assertEqual(ok, udp_port:send(P, ?LOCAL, N, <<"to myself">>)),
    ?assertEqual({udp, P, ?LOCAL, N, <<"to myself">>}, recv(P)),
    udp_port:close(P),
    ?assertEqual([], flush()).

ipv6() ->
    {ok, P} = udp_port:open(?LOCAL6, 0),
    {ok, Q} = udp_port:open(?LOCAL6, 0),
    N = udp_port:port_number(P),
    ?assertEqual({ok, {?LOCAL6, N}}, udp_port:sockname(P)),
    ?assertEqual(ok, udp_port:send(Q, ?LOCAL6, N, <<"six">>)),
    QN = udp_port:port_number(Q),
    ?assertEqual({udp, P, ?LOCAL6, QN, <<"six">>}, recv(P)),
    udp_port:close(P),
    udp_port:close(Q).

%% A gen_udp socket on loopback, passive.
peer() ->
    {ok, S} = gen_udp:open(0, [binary, {ip, loopback}, {active, false}]),
    S.

recv(P) ->
    receive {udp, P, _, _, _} = M -> M after 5000 -> error({no_datagram_on, P}) end.

can_bind(N) ->
    case gen_udp:open(N, [{ip, loopback}]) of
        {ok, S} -> gen_udp:close(S), true;
        {error, eaddrinuse} -> false
    end.

ipv6_loopback() ->
    case gen_udp:open(0, [inet6, {ip, ?LOCAL6}]) of
        {ok, S} -> gen_udp:close(S), true;
        {error, _} -> false
    end.

flush() ->
    receive M -> [M | flush()] after 0 -> [] end.
