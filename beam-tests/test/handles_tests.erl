%% Command results holding a pid or a port the driver handed out (Rust's Pid, PortId),
%% which port_call's reply cannot carry: sync commands deliver them to erldrv:command/3 as
%% a message, async commands in their reply message. Drives beam-tests/drivers/handles.
-module(handles_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "handles_drv").

handles_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [{"sync results: a pid, a port, a list, a tuple, a map, a Result", fun sync_results/0},
       {"other messages in the mailbox are left alone", fun mailbox/0},
       {"from other processes, and through the port's registered name", fun callers/0},
       {"the generated client returns them too", fun client/0},
       {"async results carry them in their reply", fun async_results/0}]}}.

id(P, Name) ->
    [Id] = [Id || #{name := N, id := Id} <- erldrv:commands(P), N =:= Name],
    Id.

cmd(P, Name, Args) -> erldrv:command(P, id(P, Name), Args).

%% Nothing else arrived: the reply messages were all taken.
assert_empty_mailbox() ->
    ?assertEqual({messages, []}, erlang:process_info(self(), messages)).

sync_results() ->
    P = erldrv_test:open(?DRV),
    Self = self(),
    ?assertEqual(Self, cmd(P, whoami, {})),
    ?assertEqual(P, cmd(P, port, {})),
    ?assertEqual([Self], cmd(P, seen, {})),
    ?assertEqual([Self, Self], cmd(P, seen, {})),
    ?assertEqual({Self, P, 7}, cmd(P, owner, {7})),
    ?assertEqual(#{caller => Self, port => P, n => 3}, cmd(P, asked, {3})),
    ?assertEqual({ok, Self}, cmd(P, checked, {2})),
    ?assertEqual({error, 3}, cmd(P, checked, {3})),
    ?assertEqual(10, cmd(P, double, {5})),
    %% The port is still open: nothing panicked.
    ?assertMatch({connected, Self}, erlang:port_info(P, connected)),
    assert_empty_mailbox(),
    port_close(P).

mailbox() ->
    P = erldrv_test:open(?DRV),
    Other = erldrv_test:open(?DRV),
    self() ! before,
    %% A reply from another port is not this call's.
    self() ! {erldrv_reply, Other, not_this_one},
    ?assertEqual(P, cmd(P, port, {})),
    ?assertEqual(self(), cmd(P, whoami, {})),
    receive M1 -> ?assertEqual(before, M1) after 0 -> ?assert(false) end,
    receive M2 -> ?assertEqual({erldrv_reply, Other, not_this_one}, M2) after 0 -> ?assert(false) end,
    assert_empty_mailbox(),
    port_close(P),
    port_close(Other).

callers() ->
    P = erldrv_test:open(?DRV),
    Parent = self(),
    Pids = [spawn_link(fun() -> Parent ! {self(), cmd(P, whoami, {})} end) || _ <- lists:seq(1, 50)],
    [receive {Pid, Got} -> ?assertEqual(Pid, Got) after 10000 -> ?assert(false) end || Pid <- Pids],
    true = register(handles_named_port, P),
    ?assertEqual(P, cmd(handles_named_port, port, {})),
    ?assertEqual(self(), cmd(handles_named_port, whoami, {})),
    unregister(handles_named_port),
    assert_empty_mailbox(),
    port_close(P).

%% The client erldrv_gen writes (its sync_command/3 takes such a result through
%% erldrv:sent_reply/3): generated, compiled and called here.
client() ->
    Dir = filename:join(os:getenv("HANDLES_TMP"), "client"),
    ok = filelib:ensure_path(Dir),
    P = erldrv_test:open(?DRV),
    {ok, Source} = erldrv:client_source(P, erlang, handles_client, #{app => handles}),
    Src = filename:join(Dir, "handles_client.erl"),
    ok = file:write_file(Src, Source),
    {ok, handles_client} = compile:file(Src, [{outdir, Dir}, return_errors]),
    {module, handles_client} = code:load_abs(filename:join(Dir, "handles_client")),
    Self = self(),
    ?assertEqual(Self, handles_client:whoami(P)),
    ?assertEqual({Self, P, 1}, handles_client:owner(P, 1)),
    assert_empty_mailbox(),
    port_close(P).

async_results() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual({ok, {self(), P}},
                 erldrv:command_async(P, id(P, opened), {}, 10000)),
    assert_empty_mailbox(),
    port_close(P).
