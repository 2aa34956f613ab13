%% A short session with the hash_drv example (SHA-256 on the driver's worker pool, binaries
%% read by reference), run by `cargo xtask demo`. Uses examples/hash/erlang/hasher.erl.
-module(hash_demo).
-export([run/1]).

-define(MiB, 1048576).

run(DriverDir) ->
    try
        session(DriverDir)
    catch
        Class:Reason:Stack ->
            io:format(standard_error, "~nThe hash demo failed: ~p:~tp~n~tp~n",
                      [Class, Reason, Stack]),
            halt(1)
    end.

session(Dir) ->
    io:format("~n"),
    ok = show("hasher:load(~tp)", [Dir], hasher:load(Dir)),
    P = show("P = hasher:open()", [], hasher:open()),

    {ok, Abc} = hasher:sha256(P, <<"abc">>),
    io:format("hasher:sha256(P, <<\"abc\">>)   % small: hashed in control at once~n"
              "  -> {ok, Digest}, Digest in hex: ~s~n~n", [hex(Abc)]),
    Abc = crypto:hash(sha256, <<"abc">>),

    Big = binary:copy(<<"0123456789abcdef">>, 4 * ?MiB),
    #{bytes_by_reference := Before, bytes_copied := Copied} = hasher:info(P),
    {Micros, {ok, Digest}} = timer:tc(hasher, sha256, [P, Big, 30000]),
    %% Not a byte of it copied into the driver.
    #{bytes_by_reference := After, bytes_copied := Copied} = hasher:info(P),
    io:format("hasher:sha256(P, Big)   % 64 MiB: a pool job reads the binary in place~n"
              "  -> {ok, Digest} in ~b ms, Digest in hex: ~s~n"
              "     ~b MiB read by reference, none copied~n~n",
              [Micros div 1000, hex(Digest), (After - Before) div ?MiB]),
    Digest = crypto:hash(sha256, Big),

    %% Eight processes at once through the same port, each waiting for its own reply.
    Self = self(),
    Inputs = [binary:copy(<<I>>, 8 * ?MiB) || I <- lists:seq(1, 8)],
    Expected = [{ok, crypto:hash(sha256, D)} || D <- Inputs],
    {Micros8, Oks} = timer:tc(fun() ->
        Pids = [spawn_link(fun() -> Self ! {self(), hasher:sha256(P, D, 30000)} end)
                || D <- Inputs],
        [receive {Pid, R} -> R =:= E end || {Pid, E} <- lists:zip(Pids, Expected)]
    end),
    io:format("8 processes hash 8 MiB each through P at once~n"
              "  -> all correct: ~p, in ~b ms, on ~b worker threads~n~n",
              [lists:all(fun(B) -> B end, Oks), Micros8 div 1000,
               maps:get(workers, hasher:info(P))]),
    true = lists:all(fun(B) -> B end, Oks),

    {error, timeout} = show("hasher:sha256(P, Big, 0)   % the caller gives up at once", [],
                            hasher:sha256(P, Big, 0)),
    io:format("   (the job is cancelled; no late reply ever reaches the mailbox)~n~n"),

    Bad = try hasher:sha256(P, [<<"a">>, foo]) catch error:E -> {error, E} end,
    io:format("hasher:sha256(P, [<<\"a\">>, foo])   % not iodata~n  -> ~tp~n~n", [Bad]),
    {error, badarg} = Bad,

    show("hasher:close(P)", [], hasher:close(P)),
    io:format("The hash driver answered every request.~n"),
    ok.

hex(Bin) -> string:lowercase(binary_to_list(binary:encode_hex(Bin))).

show(Format, Args, Result) ->
    io:format("~ts~n  -> ~tp~n~n", [io_lib:format(Format, Args), Result]),
    Result.
