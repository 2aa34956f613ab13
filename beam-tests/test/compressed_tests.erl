%% Compressed terms (term_to_binary(T, [compressed])) from callers: read in control (after
%% erldrv::term::decompress) and output (OwnedTerm::from_ext), at any compression level;
%% a lying uncompressed size or a corrupt stream is a clear error, not a crash. Drives
%% beam-tests/drivers/compressed.
-module(compressed_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "compressed_drv").

compressed_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [fun control_reads_compressed_requests/0,
       fun output_reads_compressed_terms/0,
       fun lying_sizes_and_corrupt_streams_are_refused/0]}}.

%% A term large and repetitive enough that term_to_binary compresses it.
big() ->
    {lists:seq(1, 5000), binary:copy(<<"abcdef">>, 10000),
     #{key => lists:duplicate(1000, atom), <<"k">> => {1.5, -7, self(), make_ref()}}}.

compressed(T) ->
    B = term_to_binary(T, [compressed]),
    %% The VM compressed it (it leaves a term that does not shrink as it is).
    <<131, 80, Size:32, _/binary>> = B,
    ?assertEqual(byte_size(term_to_binary(T)) - 1, Size),
    B.

control_reads_compressed_requests() ->
    P = erldrv_test:open(?DRV),
    L = lists:seq(1, 20000),
    Sum = integer_to_list(lists:sum(L)),
    ?assertEqual(Sum, erldrv:control(P, 0, compressed({sum, L}))),
    ?assertEqual(Sum, erldrv:control(P, 0, term_to_binary({sum, L}))),
    Bin = binary:copy(<<"xyz">>, 100000),
    ?assertEqual("300000", erldrv:control(P, 0, compressed({size, Bin}))),
    [?assertEqual(Sum, erldrv:control(P, 0, term_to_binary({sum, L}, [{compressed, Level}])))
     || Level <- lists:seq(1, 9)],
    port_close(P).

output_reads_compressed_terms() ->
    P = erldrv_test:open(?DRV),
    T = big(),
    [begin
         port_command(P, B),
         receive {ok, Got} -> ?assertEqual(T, Got)
         after 5000 -> error(no_reply)
         end
     end || B <- [compressed(T), term_to_binary(T), term_to_binary(T, [{compressed, 9}])]],
    port_close(P).

lying_sizes_and_corrupt_streams_are_refused() ->
    P = erldrv_test:open(?DRV),
    L = lists:seq(1, 20000),
    <<131, 80, Size:32, Z/binary>> = compressed({sum, L}),
    Short = <<131, 80, (Size - 1):32, Z/binary>>,
    Long = <<131, 80, (Size + 1):32, Z/binary>>,
    Huge = <<131, 80, 16#ffffffff:32, Z/binary>>,
    Cut = <<131, 80, Size:32, (binary:part(Z, 0, byte_size(Z) div 2))/binary>>,
    Reason = fun(B) ->
                     try erldrv:control(P, 0, B), no_error
                     catch error:{badarg, R} -> R
                     end
             end,
    ?assertEqual(<<"malformed compressed term: the term inflates to more than the "
                   "announced ", (integer_to_binary(Size - 1))/binary, " bytes">>,
                 Reason(Short)),
    ?assertEqual(<<"malformed compressed term: the term inflates to ",
                   (integer_to_binary(Size))/binary, " bytes, not the announced ",
                   (integer_to_binary(Size + 1))/binary>>,
                 Reason(Long)),
    ?assertEqual(<<"a compressed term of 4294967295 bytes uncompressed, above the limit of "
                   "67108864">>,
                 Reason(Huge)),
    ?assertEqual(<<"malformed compressed term: the zlib stream is cut short">>, Reason(Cut)),
    %% The same through output: an error message, and the port stays open.
    port_command(P, Short),
    receive {error, Msg} -> ?assertMatch(<<"malformed compressed term: ", _/binary>>, Msg)
    after 5000 -> error(no_reply)
    end,
    ?assertEqual("3", erldrv:control(P, 0, term_to_binary({sum, [1, 2]}))),
    port_close(P).
