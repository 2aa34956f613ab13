%% The guide's queue chapter (erldrv/src/guide/queue.md): data queued by reference and
%% written to a file a chunk per millisecond; the port turns busy above 256 KiB queued, so
%% port_command with nosuspend is refused and a plain one waits; closing with data queued
%% runs flush, which writes the rest. Drives beam-tests/drivers/guide_queue.
-module(guide_queue_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "spool_drv").

queue_test_() ->
    {setup, fun() -> ok = erldrv:load(erldrv_test:driver_dir(), ?DRV) end,
     fun(_) -> ok end,
     {inorder, [{timeout, 60, fun busy_then_flush/0}, fun refused/0]}}.

file() ->
    F = filename:join(erldrv_test:driver_dir(), "../guide_queue/spool.bin"),
    ok = filelib:ensure_dir(F),
    _ = file:delete(F),
    F.

busy_then_flush() ->
    File = file(),
    Port = erldrv:open("spool_drv " ++ File, [binary]),
    Chunk = rand:bytes(64 * 1024),
    %% Chunks at once until the port is busy (past 256 KiB queued): nosuspend refuses.
    Sent = send_until_busy(Port, Chunk, 0),
    ?assert(Sent >= 4),
    %% A plain port_command waits until the port is not busy any more.
    [true = port_command(Port, Chunk) || _ <- lists:seq(1, 8)],
    %% Closed with data still queued: flush writes it.
    port_close(Port),
    Total = (Sent + 8) * byte_size(Chunk),
    erldrv_test:wait_until(fun() -> filelib:file_size(File) =:= Total end, 5000),
    {ok, Data} = file:read_file(File),
    ?assertEqual(binary:copy(Chunk, Sent + 8), Data).

send_until_busy(_Port, _Chunk, 64) -> error(never_busy);
send_until_busy(Port, Chunk, Sent) ->
    case port_command(Port, Chunk, [nosuspend]) of
        true -> send_until_busy(Port, Chunk, Sent + 1);
        false -> Sent
    end.

refused() ->
    ?assertError({badarg, <<"usage: spool_drv Path">>}, erldrv:open(?DRV, [binary])).
