%% The guide's select chapter (erldrv/src/guide/select.md): data written into one socket of
%% a pair comes back from the other, 4 MiB of it, more than the sockets buffer, so the
%% driver waits in ready_output and ready_input in turn; ports close with their descriptors
%% selected. Drives beam-tests/drivers/guide_select.
-module(guide_select_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "loopback_drv").

select_test_() ->
    {setup, fun() -> ok = erldrv:load(erldrv_test:driver_dir(), ?DRV) end,
     fun(_) -> ok end,
     {inorder, [fun small/0, {timeout, 60, fun large/0}, fun many_ports/0]}}.

small() ->
    Port = erldrv:open(?DRV, [binary]),
    true = port_command(Port, <<"ping">>),
    ?assertEqual(<<"ping">>, recv(Port, 4, [])),
    port_close(Port).

large() ->
    Port = erldrv:open(?DRV, [binary]),
    Data = rand:bytes(4 * 1024 * 1024),
    [true = port_command(Port, Chunk) || Chunk <- chunks(Data, 65536)],
    ?assertEqual(Data, recv(Port, byte_size(Data), [])),
    port_close(Port).

%% Open and close ports, each with its two descriptors selected: nothing leaks, nothing is
%% stolen from another port.
many_ports() ->
    Ports = [erldrv:open(?DRV, [binary]) || _ <- lists:seq(1, 50)],
    [true = port_command(P, integer_to_binary(N)) || {N, P} <- lists:enumerate(Ports)],
    [?assertEqual(integer_to_binary(N), recv(P, byte_size(integer_to_binary(N)), []))
     || {N, P} <- lists:enumerate(Ports)],
    [port_close(P) || P <- Ports],
    ok.

chunks(<<Chunk:65536/binary, Rest/binary>>, N) -> [Chunk | chunks(Rest, N)];
chunks(<<>>, _) -> [];
chunks(Rest, _) -> [Rest].

recv(_Port, 0, Acc) -> iolist_to_binary(lists:reverse(Acc));
recv(Port, Left, Acc) ->
    receive {Port, {data, D}} -> recv(Port, Left - byte_size(D), [D | Acc])
    after 10000 -> error({stuck, Left})
    end.
