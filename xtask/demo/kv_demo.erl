%% A short session with the kv_drv example (a key-value store inside the driver), run by
%% `cargo xtask demo` after the echo session. Uses the client module examples/kv/erlang/kv.erl,
%% generated from the driver's commands; its open/0 loads kv_drv from the priv directory of
%% application kv, which the demo made (PrivDir).
-module(kv_demo).
-export([run/1]).

run(PrivDir) ->
    try
        session(PrivDir)
    catch
        Class:Reason:Stack ->
            io:format(standard_error, "~nThe kv demo failed: ~p:~tp~n~tp~n",
                      [Class, Reason, Stack]),
            halt(1)
    end.

session(PrivDir) ->
    io:format("~ncode:priv_dir(kv) is ~ts~n~n", [PrivDir]),
    {ok, P} = show("{ok, P} = kv:open()", [], kv:open()),
    ok = show("kv:put(P, <<\"lang\">>, <<\"erlang\">>)", [], kv:put(P, <<"lang">>, <<"erlang">>)),
    {ok, <<"erlang">>} = show("kv:get(P, <<\"lang\">>)", [], kv:get(P, <<"lang">>)),
    ok = show("kv:subscribe(P)", [], kv:subscribe(P)),
    Self = self(),
    spawn_link(fun() ->
        {ok, Q} = kv:open(),
        ok = kv:put(Q, <<"lang">>, <<"rust">>),
        kv:close(Q),
        Self ! written
    end),
    io:format("another process, through its own port: kv:put(Q, <<\"lang\">>, <<\"rust\">>)~n~n"),
    receive written -> ok after 5000 -> error(no_writer) end,
    Note = receive {kv, _, _} = M -> M after 5000 -> error(no_notification) end,
    io:format("the subscriber received~n  -> ~tp~n~n", [Note]),
    {kv, <<"lang">>, {put, <<"rust">>}} = Note,
    Bad = try kv:get(P, "lang") catch error:E -> {error, E} end,
    io:format("kv:get(P, \"lang\")   % a list, not a binary~n  -> ~tp~n~n", [Bad]),
    {error, {badarg, _}} = Bad,
    ok = show("kv:put(P, <<\"lang/2\">>, <<\"elixir\">>)", [],
              kv:put(P, <<"lang/2">>, <<"elixir">>)),
    {ok, #{entries := [_, _]}} =
        show("kv:scan(P, <<\"lang\">>)   % async: on a worker thread", [],
             kv:scan(P, <<"lang">>)),
    <<"elixir">> = show("kv:get_bytes(P, <<\"lang/2\">>)   % bytes: port_control, no term format",
                        [], kv:get_bytes(P, <<"lang/2">>)),
    ok = kv:delete(P, <<"lang/2">>),
    receive {kv, <<"lang/2">>, {put, _}} -> ok after 5000 -> error(no_put_notification) end,
    receive {kv, <<"lang/2">>, deleted} -> ok after 5000 -> error(no_delete_notification) end,
    ok = show("kv:delete(P, <<\"lang\">>)", [], kv:delete(P, <<"lang">>)),
    receive {kv, <<"lang">>, deleted} -> ok after 5000 -> error(no_delete_notification) end,
    show("kv:close(P)", [], kv:close(P)),
    io:format("The kv driver answered every request.~n"),
    ok.

show(Format, Args, Result) ->
    io:format("~ts~n  -> ~tp~n~n", [io_lib:format(Format, Args), Result]),
    Result.
