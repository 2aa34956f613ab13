%% Typed commands (#[command] methods): sync commands through erldrv:command/3, async ones
%% through erldrv:command_async/4, bytes commands through port_control/3, every number
%% looked up by name in erldrv:commands/1. Drives beam-tests/drivers/commands.
-module(commands_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "commands_drv").

commands_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [{"the table of commands", fun table/0},
       {"sync commands: shapes of arguments and results", fun sync_shapes/0},
       {"sync commands: refused arguments raise badarg with the message", fun sync_badarg/0},
       {"a sync command that panics closes the port", fun sync_panic/0},
       {"async commands: results, errors, panics, to their caller", fun async_results/0},
       {"async commands: refused arguments answer that caller", fun async_badarg/0},
       {"1000 processes with an async command in flight on one port", {timeout, 60, fun many_async/0}},
       {"bytes commands: raw bytes in, a binary out", fun bytes/0}]}}.

id(P, Name) ->
    [Id] = [Id || #{name := N, id := Id} <- erldrv:commands(P), N =:= Name],
    Id.

cmd(P, Name, Args) -> erldrv:command(P, id(P, Name), Args).

async(P, Name, Args) -> erldrv:command_async(P, id(P, Name), Args, 10000).

table() ->
    P = erldrv_test:open(?DRV),
    Table = erldrv:commands(P),
    Names = [N || #{name := N} <- Table],
    ?assertEqual([add, total, set_name, name, sizes, swap, next, divide, check,
                  called_by_owner, crash, answer, sleep, fail, sum, nothing, explode,
                  reverse, echo, to_binary], Names),
    [Add] = [C || #{name := add} = C <- Table],
    ?assertEqual(#{name => add, kind => sync,
                   args => [#{name => n, type => <<"i64">>}],
                   ret => <<"i64">>,
                   doc => <<"Adds `n` to the port's total and returns the new total.">>},
                 maps:remove(id, Add)),
    %% Numbers: a hash of the name, out of the runtime's range and of the low range left
    %% for hand-written numbers, unless given with id = N; all different.
    Ids = [Id || #{id := Id} <- Table],
    ?assertEqual(length(Ids), length(lists:usort(Ids))),
    ?assertEqual(42, id(P, answer)),
    [?assert(Id >= 16#01000000 andalso Id < 16#FFFFFF00)
     || #{name := N, id := Id} <- Table, N =/= answer],
    %% The same name gives the same number on another port (and in another build).
    ?assertEqual(id(P, add), id(erldrv_test:open(?DRV), add)),
    Kinds = maps:from_list([{N, K} || #{name := N, kind := K} <- Table]),
    ?assertMatch(#{add := sync, sleep := async, fail := async, reverse := bytes,
                   echo := bytes, to_binary := bytes, sizes := sync}, Kinds),
    [Sleep] = [C || #{name := sleep} = C <- Table],
    ?assertEqual([#{name => ms, type => <<"u64">>},
                  #{name => tag, type => <<"erldrv::term::OwnedTerm">>}],
                 maps:get(args, Sleep)),
    [Echo] = [C || #{name := echo} = C <- Table],
    ?assertEqual([#{name => data, type => <<"&'a [u8]">>}], maps:get(args, Echo)),
    ?assertEqual(<<"&'a [u8]">>, maps:get(ret, Echo)),
    [Nothing] = [C || #{name := nothing} = C <- Table],
    ?assertEqual(<<"()">>, maps:get(ret, Nothing)),
    port_close(P).

sync_shapes() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual(5, cmd(P, add, {5})),
    ?assertEqual(3, cmd(P, add, {-2})),
    ?assertEqual({added, 3}, cmd(P, total, {})),
    ?assertEqual(undefined, cmd(P, name, {})),
    ?assertEqual(ok, cmd(P, set_name, {<<"port one">>})),
    ?assertEqual(<<"port one">>, cmd(P, name, {})),
    ?assertEqual({3, 4}, cmd(P, sizes, {<<"abc">>, [1, 2, 3, 4]})),
    ?assertEqual({{<<"x">>, 7}, hello}, cmd(P, swap, {hello, {7, <<"x">>}})),
    ?assertEqual(8, cmd(P, next, {7})),
    ?assertEqual(undefined, cmd(P, next, {undefined})),
    ?assertEqual({ok, 4}, cmd(P, divide, {17, 4})),
    ?assertEqual({error, divide_by_zero}, cmd(P, divide, {1, 0})),
    ?assertEqual(ok, cmd(P, check, {<<"text">>})),
    ?assertEqual({error, <<"empty">>}, cmd(P, check, {<<>>})),
    ?assertEqual(true, cmd(P, called_by_owner, {})),
    Self = self(),
    spawn(fun() -> Self ! {other, cmd(P, called_by_owner, {})} end),
    receive {other, Other} -> ?assertEqual(false, Other) after 5000 -> error(no_reply) end,
    ?assertEqual(42, erldrv:command(P, 42, {})),
    %% The state is per port.
    ?assertEqual({added, 0}, cmd(erldrv_test:open(?DRV), total, {})),
    port_close(P).

sync_badarg() ->
    P = erldrv_test:open(?DRV),
    Add = id(P, add),
    ?assertError({badarg, <<"command add: expected an integer, found a binary (argument 1, `n`)">>},
                 erldrv:command(P, Add, {<<"five">>})),
    {'EXIT', {{badarg, Arity}, _}} = (catch erldrv:command(P, Add, {1, 2})),
    ?assertMatch({_, _}, binary:match(Arity, <<"command add takes its 1 argument as a tuple">>)),
    {'EXIT', {{badarg, Second}, _}} = (catch cmd(P, sizes, {<<"abc">>, [1, x]})),
    ?assertMatch({_, _}, binary:match(Second, <<"argument 2, `list`">>)),
    {'EXIT', {{badarg, Unknown}, _}} = (catch erldrv:command(P, 7, {})),
    ?assertMatch({_, _}, binary:match(Unknown, <<"no sync command numbered 7">>)),
    %% An async command's number is no sync command.
    {'EXIT', {{badarg, _}, _}} = (catch erldrv:command(P, id(P, sum), {<<>>})),
    ?assertError(badarg, erldrv:command(P, Add, [1])),
    %% The port is still fine.
    ?assertEqual(1, cmd(P, add, {1})),
    port_close(P).

sync_panic() ->
    process_flag(trap_exit, true),
    P = erldrv_test:open(?DRV),
    Crash = id(P, crash),
    ?assertError({erldrv_panic, <<"deliberate panic in a sync command">>},
                 erldrv:command(P, Crash, {})),
    ?assertEqual(erldrv_panic, erldrv_test:recv_exit(P)),
    process_flag(trap_exit, false).

async_results() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual({ok, {any, "term", 1}}, async(P, sleep, {10, {any, "term", 1}})),
    ?assertEqual({error, <<"no luck">>}, async(P, fail, {<<"no luck">>})),
    ?assertEqual({ok, 6}, async(P, sum, {<<1, 2, 3>>})),
    ?assertEqual({ok, ok}, async(P, nothing, {})),
    ?assertEqual({error, {erldrv_panic, <<"deliberate panic in an async command">>}},
                 async(P, explode, {})),
    %% The panic answered its caller only: the port is open, and nothing else arrived.
    ?assertEqual({ok, 3}, async(P, sum, {[1, 2]})),
    ?assertEqual(5, cmd(P, add, {5})),
    ?assertEqual({error, timeout}, erldrv:command_async(P, id(P, sleep), {1000, x}, 10)),
    ?assertEqual({messages, []}, process_info(self(), messages)),
    port_close(P).

async_badarg() ->
    P = erldrv_test:open(?DRV),
    Sum = id(P, sum),
    {error, {badarg, Why}} = erldrv:command_async(P, Sum, {nope}, 5000),
    ?assertMatch(<<"command sum: expected ", _/binary>>, Why),
    ?assertMatch({_, _}, binary:match(Why, <<"found an atom (argument 1, `data`)">>)),
    {error, {badarg, Arity}} = erldrv:command_async(P, Sum, {}, 5000),
    ?assertMatch({_, _}, binary:match(Arity, <<"takes its 1 argument as a tuple">>)),
    %% A sync command's number is no async command (the driver has no control of its own to
    %% take other requests).
    Add = id(P, add),
    ?assertEqual({error, {badarg, iolist_to_binary(
                                   ["no async command numbered ", integer_to_list(Add),
                                    " (erldrv:commands(Port) lists the driver's commands)"])}},
                 erldrv:command_async(P, Add, {1}, 5000)),
    %% A plain port_control with the request command and no header is refused.
    ?assertError(badarg, port_control(P, 16#FFFFFF01, <<"junk">>)),
    ?assertEqual({ok, 1}, async(P, sum, {<<1>>})),
    erldrv_test:flush(),
    port_close(P).

%% Each process gets its own reply: the arguments carry the process's number back.
many_async() ->
    P = erldrv_test:open(?DRV),
    Sleep = id(P, sleep),
    Self = self(),
    N = 1000,
    Go = make_ref(),
    Pids = [spawn_link(fun() ->
                               receive Go -> ok end,
                               R = erldrv:command_async(P, Sleep, {I rem 3, {me, I}}, 30000),
                               Self ! {self(), I, R, process_info(self(), message_queue_len)}
                       end) || I <- lists:seq(1, N)],
    [Pid ! Go || Pid <- Pids],
    [receive
         {Pid, I, R, Q} ->
             ?assertEqual({ok, {me, I}}, R),
             ?assertEqual({message_queue_len, 0}, Q)
     after 30000 -> error({no_reply, I})
     end || {Pid, I} <- lists:zip(Pids, lists:seq(1, N))],
    port_close(P).

bytes() ->
    P = erldrv_test:open(?DRV, []),
    Reverse = id(P, reverse),
    ?assertEqual(<<"cba">>, port_control(P, Reverse, <<"abc">>)),
    ?assertEqual(<<>>, port_control(P, Reverse, <<>>)),
    Big = binary:copy(<<"0123456789">>, 1000),
    ?assertEqual(list_to_binary(lists:reverse(binary_to_list(Big))),
                 port_control(P, Reverse, Big)),
    ?assertEqual(<<"hello">>, port_control(P, id(P, echo), ["he", <<"llo">>])),
    ?assertEqual(<<"!ello">>, port_control(P, id(P, to_binary), <<"hello">>)),
    %% Unknown numbers are refused with a reason.
    ?assertError({badarg, <<"no bytes command numbered 7", _/binary>>},
                 erldrv:control(P, 7, <<>>)),
    %% Sync commands on the same port still answer terms.
    ?assertEqual(2, cmd(P, add, {2})),
    port_close(P).
