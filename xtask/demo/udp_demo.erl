%% A short session with the udp_drv example (a UDP socket as a port, each datagram a
%% message), run by `cargo xtask demo`. Uses examples/udp/erlang/udp_port.erl; all traffic
%% stays on 127.0.0.1.
-module(udp_demo).
-export([run/1]).

-define(LOCAL, {127, 0, 0, 1}).

run(DriverDir) ->
    try
        session(DriverDir)
    catch
        Class:Reason:Stack ->
            io:format(standard_error, "~nThe udp demo failed: ~p:~tp~n~tp~n",
                      [Class, Reason, Stack]),
            halt(1)
    end.

session(Dir) ->
    io:format("~n"),
    ok = show("udp_port:load(~tp)", [Dir], udp_port:load(Dir)),
    {ok, P} = show("{ok, P} = udp_port:open()", [], udp_port:open()),
    {ok, {?LOCAL, N}} = show("udp_port:sockname(P)", [], udp_port:sockname(P)),

    {ok, S} = gen_udp:open(0, [binary, {ip, loopback}, {active, false}]),
    {ok, SPort} = inet:port(S),
    ok = gen_udp:send(S, ?LOCAL, N, <<"hello from gen_udp">>),
    io:format("a gen_udp socket on port ~b: gen_udp:send(S, ~p, ~b, <<\"hello from gen_udp\">>)~n",
              [SPort, ?LOCAL, N]),
    Msg = receive {udp, P, _, _, _} = M -> M after 5000 -> error(no_datagram) end,
    io:format("the owner of P received~n  -> ~tp~n~n", [Msg]),
    {udp, P, ?LOCAL, SPort, <<"hello from gen_udp">>} = Msg,

    ok = show("udp_port:send(P, ~p, ~b, <<\"hello back\">>)", [?LOCAL, SPort],
              udp_port:send(P, ?LOCAL, SPort, <<"hello back">>)),
    {ok, {?LOCAL, N, <<"hello back">>}} =
        show("gen_udp:recv(S, 0)", [], gen_udp:recv(S, 0, 5000)),

    %% In windows of 100, read before the next is sent: UDP drops what overflows.
    Seq = lists:seq(1, 1000),
    Got = lists:append(
            [begin
                 [ok = gen_udp:send(S, ?LOCAL, N, <<I:32>>) || I <- W],
                 [receive {udp, P, _, _, <<J:32>>} -> J after 5000 -> error(lost) end || _ <- W]
             end || W <- windows(Seq, 100)]),
    io:format("1000 datagrams from gen_udp~n  -> ~b messages, in order: ~p~n~n",
              [length(Got), Got =:= Seq]),
    Seq = Got,

    Bad = try udp_port:send(P, ?LOCAL, 70000, <<>>) catch error:E -> {error, E} end,
    io:format("udp_port:send(P, ~p, 70000, <<>>)~n  -> ~tp~n~n", [?LOCAL, Bad]),
    {error, {badarg, _}} = Bad,

    show("udp_port:close(P)", [], udp_port:close(P)),
    {ok, Again} = rebind(N, 100),
    io:format("gen_udp:open(~b, [{ip, loopback}])   % the port number is free again~n"
              "  -> ~tp~n~n", [N, {ok, Again}]),
    gen_udp:close(Again),
    gen_udp:close(S),
    io:format("The udp driver delivered every datagram.~n"),
    ok.

windows([], _) -> [];
windows(L, N) when length(L) =< N -> [L];
windows(L, N) ->
    {W, Rest} = lists:split(N, L),
    [W | windows(Rest, N)].

%% The VM lets go of the socket just after the port closes: retry a moment if needed.
rebind(N, Tries) ->
    case gen_udp:open(N, [{ip, loopback}]) of
        {error, eaddrinuse} when Tries > 0 -> timer:sleep(10), rebind(N, Tries - 1);
        Result -> Result
    end.

show(Format, Args, Result) ->
    io:format("~ts~n  -> ~tp~n~n", [io_lib:format(Format, Args), Result]),
    Result.
