%% EUnit tests of {{crate_name}}, run by `rebar3 eunit` against the driver built from
%% native/{{crate_name}}: first the application (app_test_/0: it loads the driver once
%% and owns a supervised port, which its API uses), then ports of the tests' own, through
%% the client module generated from the driver ({{crate_name}}_native,
%% src/{{crate_name}}_native.erl), with the application stopped.
-module({{crate_name}}_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, {{crate_name}}_native).
-define(APP, {{crate_name}}).

app_test_() ->
    {setup, fun start_app/0, fun stop_app/1,
     {inorder,
      [{"the API works from any process, through the application's port", fun api/0},
       {"the driver is loaded once, by the application", fun loaded_once/0},
       {"the port's owner is supervised and restarted with a new port", fun restarted/0},
       {"stopping the application unloads the driver", fun stop_unloads/0}]}}.

start_app() ->
    {ok, Started} = application:ensure_all_started(?APP),
    Started.

stop_app(Started) ->
    [application:stop(App) || App <- lists:reverse(Started)],
    ok.

api() ->
    0 = ?APP:reset(),
    ?assertEqual({ok, 5}, ?APP:add(5)),
    ?assertEqual(8, ?APP:add_bytes(<<"abc">>)),
    ?assertEqual(8, ?APP:total()),
    %% Another process shares the port: same total.
    Self = self(),
    spawn_link(fun() -> Self ! {total, ?APP:add(2)} end),
    ?assertEqual({ok, 10}, receive {total, T} -> T after 5000 -> timeout end),
    ?assertEqual({ok, 16#E71FA2190541574B}, ?APP:hash(<<"abc">>)),
    Max = 1 bsl 63 - 1,
    ?assertEqual({ok, Max}, ?APP:add(Max - 10)),
    ?assertError({badarg, overflow}, ?APP:add_bytes(<<"x">>)),
    ?assertEqual(Max, ?APP:reset()).

%% The application's load is the driver's only one, and ports opened meanwhile add none.
loaded_once() ->
    Name = atom_to_list(?APP),
    [{Holder, 1}] = erl_ddll:info(Name, processes),
    ?assertNotEqual(self(), Holder),
    ?assertNotEqual(whereis({{crate_name}}_server), Holder),
    {ok, P} = ?DRV:open(),
    ?assertEqual([{Holder, 1}], erl_ddll:info(Name, processes)),
    ?assertEqual(2, erl_ddll:info(Name, port_count)),
    ok = ?DRV:close(P),
    ?assertEqual([{Holder, 1}], erl_ddll:info(Name, processes)),
    ?assertEqual(1, erl_ddll:info(Name, port_count)).

restarted() ->
    Old = ?APP:port(),
    {ok, _} = ?APP:add(1),
    Server = whereis({{crate_name}}_server),
    Ref = monitor(process, Server),
    exit(Server, kill),
    receive {'DOWN', Ref, process, Server, killed} -> ok after 5000 -> error(not_down) end,
    ?assertEqual(undefined, erlang:port_info(Old)),
    New = wait_for_port(Old, 50),
    ?assertNotEqual(Old, New),
    %% A new port, a new total.
    ?assertEqual(0, ?APP:total()),
    %% Still the application's one load.
    ?assertMatch([{_, 1}], erl_ddll:info(atom_to_list(?APP), processes)).

%% The supervisor restarts the server once the kill's exit signal reaches it, which is
%% not ordered with the 'DOWN' message this process got: until then port/0 exits with
%% noproc (or the old server is still registered). Tries every 20 ms, for up to a second.
wait_for_port(Old, Tries) ->
    case catch ?APP:port() of
        P when is_port(P), P =/= Old -> P;
        _ when Tries > 0 -> receive after 20 -> wait_for_port(Old, Tries - 1) end;
        Other -> error({no_new_port, Other})
    end.

stop_unloads() ->
    ok = application:stop(?APP),
    {ok, Loaded} = erl_ddll:loaded_drivers(),
    ?assertNot(lists:member(atom_to_list(?APP), Loaded)),
    {ok, _} = application:ensure_all_started(?APP),
    ?assertEqual(0, ?APP:total()).

open() ->
    {ok, P} = ?DRV:open(),
    P.

add_total_reset_test() ->
    P = open(),
    ?assertEqual(0, ?DRV:total(P)),
    ?assertEqual({ok, 5}, ?DRV:add(P, 5)),
    ?assertEqual({ok, -2}, ?DRV:add(P, -7)),
    ?assertEqual(-2, ?DRV:total(P)),
    ?assertEqual(-2, ?DRV:reset(P)),
    ?assertEqual(0, ?DRV:total(P)),
    ?assertEqual(ok, ?DRV:close(P)).

add_bytes_test() ->
    P = open(),
    ?assertEqual(3, {{crate_name}}:add_bytes(P, <<"abc">>)),
    %% Any iodata: 2 + 1 + 3 + 2 bytes.
    ?assertEqual(11, {{crate_name}}:add_bytes(P, [<<"io">>, $l, "ist", [<<"!!">>]])),
    ?assertEqual({ok, 16}, ?DRV:add(P, 5)),
    ?DRV:close(P).

ports_are_independent_test() ->
    P = open(),
    Q = open(),
    ?assertEqual({ok, 1}, ?DRV:add(P, 1)),
    ?assertEqual({ok, 100}, ?DRV:add(Q, 100)),
    ?assertEqual(1, ?DRV:total(P)),
    ?DRV:close(P),
    ?DRV:close(Q).

errors_and_bad_arguments_say_why_test() ->
    P = open(),
    ?assertError({badarg, <<"command add: expected an integer, found a binary "
                            "(argument 1, `n`)">>},
                 ?DRV:add(P, <<"1">>)),
    ?assertEqual({ok, 1}, ?DRV:add(P, 1)),
    Max = 1 bsl 63 - 1,
    ?assertEqual({error, <<"adding 9223372036854775807 to 1 does not fit a 64-bit counter">>},
                 ?DRV:add(P, Max)),
    %% A refused call changes nothing.
    ?assertEqual(1, ?DRV:total(P)),
    ?DRV:close(P).

overflow_from_port_command_test() ->
    P = open(),
    Max = 1 bsl 63 - 1,
    ?assertEqual({ok, Max}, ?DRV:add(P, Max)),
    ?assertError({badarg, overflow}, {{crate_name}}:add_bytes(P, <<"x">>)),
    ?assertEqual(Max, ?DRV:total(P)),
    ?DRV:close(P).

hash_on_the_worker_pool_test() ->
    P = open(),
    ?assertEqual({ok, 16#CBF29CE484222325}, ?DRV:hash(P, <<>>)),
    ?assertEqual({ok, 16#AF63DC4C8601EC8C}, ?DRV:hash(P, <<"a">>)),
    %% A list of bytes reads as a binary.
    ?assertEqual({ok, 16#85944171F73967E8}, ?DRV:hash(P, "foobar")),
    Big = binary:copy(<<"0123456789">>, 100000),
    ?assertEqual({ok, fnv1a(Big)}, ?DRV:hash(P, Big, 10000)),
    %% 50 processes at once on the one port, each with its own data.
    Self = self(),
    Pids = [spawn_link(fun() ->
                               Data = integer_to_binary(I),
                               Self ! {self(), Data, ?DRV:hash(P, Data)}
                       end) || I <- lists:seq(1, 50)],
    [receive {Pid, Data, Answer} -> ?assertEqual({ok, fnv1a(Data)}, Answer)
     after 5000 -> error({no_answer_from, Pid})
     end || Pid <- Pids],
    %% A refused argument answers that caller alone.
    ?assertMatch({error, {badarg, <<"command hash: ", _/binary>>}}, ?DRV:hash(P, an_atom)),
    ?DRV:close(P),
    ?assertEqual({error, closed}, ?DRV:hash(P, <<"abc">>)).

%% The client checks, at open, that the driver has the interface it was generated for.
interface_is_checked_at_open_test() ->
    {ok, P} = ?DRV:open(),
    Interface = erldrv:interface(P),
    ?assertMatch(#{commands := [_ | _]}, Interface),
    Names = lists:sort([N || #{name := N} <- erldrv:commands(P)]),
    ?assertEqual([add, hash, reset, total], Names),
    ?DRV:close(P).

%% The driver's hash, written again in Erlang.
fnv1a(Data) ->
    lists:foldl(fun(Byte, H) -> ((H bxor Byte) * 16#100000001B3) band 16#FFFFFFFFFFFFFFFF end,
                16#CBF29CE484222325, binary_to_list(Data)).
