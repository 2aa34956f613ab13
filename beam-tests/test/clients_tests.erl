%% Generated clients: the Erlang client of beam-tests/drivers/clients, generated with
%% erldrv_gen from the built driver, compiled, and called for every type of the mapping
%% table; the checked-in copy (beam-tests/generated/clients_client.erl) is up to date; a
%% client generated from an older interface (beam-tests/drivers/clients_old) fails open
%% naming the commands that differ; 1,000 processes call an async command through it.
%%
%% The application clients_app is made in CLIENTS_TMP: its priv holds clients_drv.so, its
%% ebin the generated module.
-module(clients_tests).
-include_lib("eunit/include/eunit.hrl").
-include_lib("kernel/include/file.hrl").

-define(C, clients_client).

clients_test_() ->
    {setup, fun setup/0, fun(_) -> ok end,
     {inorder,
      [{"the checked-in client is up to date", fun checked_in/0},
       {"generation writes only when the source changed", fun incremental/0},
       {"every type round-trips through the generated functions", fun round_trips/0},
       {"refused arguments and errors", fun refusals/0},
       {"open and close", fun open_close/0},
       {"ports of an application that holds no load each keep the driver",
        fun application_ports/0},
       {"the interface and its fingerprint", fun interface/0},
       {"a client of an older interface fails open, naming what differs", fun stale/0},
       {"a client generator error is a message", fun client_errors/0},
       {"1000 processes call an async command through the client",
        {timeout, 60, fun many_async/0}}]}}.

tmp() ->
    case os:getenv("CLIENTS_TMP") of
        false -> error(clients_tmp_not_set);
        Dir -> Dir
    end.

app_dir() -> filename:join(tmp(), "clients_app").
ebin() -> filename:join(app_dir(), "ebin").

setup() ->
    Priv = filename:join(app_dir(), "priv"),
    ok = filelib:ensure_dir(filename:join(Priv, "x")),
    ok = filelib:ensure_dir(filename:join(ebin(), "x")),
    {ok, _} = file:copy(filename:join(erldrv_test:driver_dir(), "clients_drv.so"),
                        filename:join(Priv, "clients_drv.so")),
    true = code:add_patha(ebin()),
    Out = filename:join(tmp(), "clients_client.erl"),
    _ = file:delete(Out),
    {ok, written} = generate(Out, #{}),
    compile_load(Out),
    ok.

generate(Out, Extra) ->
    erldrv_gen:generate(maps:merge(#{driver_dir => erldrv_test:driver_dir(),
                                     driver => clients_drv, app => clients_app,
                                     language => erlang, module => ?C, out => Out},
                                   Extra)).

compile_load(File) ->
    {ok, Module, Warnings} =
        compile:file(File, [return, warnings_as_errors, debug_info, {outdir, ebin()}]),
    ?assertEqual([], Warnings),
    code:purge(Module),
    {module, Module} = code:load_file(Module),
    Module.

checked_in() ->
    Dir = case os:getenv("ERLDRV_GENERATED") of
              false -> error(erldrv_generated_not_set);
              D -> D
          end,
    %% ERLDRV_BLESS=1 rewrites the checked-in files instead of comparing.
    Check = os:getenv("ERLDRV_BLESS") =/= "1",
    Files = [{erlang, ?C, filename:join(Dir, "clients_client.erl")},
             {elixir, <<"Clients.Client">>, filename:join(Dir, "clients_client.ex")}],
    Results = [{Out, generate(Out, #{language => Language, module => Module, check => Check})}
               || {Language, Module, Out} <- Files],
    [case Result of
         {ok, _} -> ok;
         {error, {stale, _}} ->
             error({stale_generated_file, Out,
                    "regenerate it: ERLDRV_BLESS=1 cargo test -p beam-tests --test beam "
                    "-- generated_clients"})
     end || {Out, Result} <- Results],
    %% The Erlang one is what the generator wrote for this test.
    {ok, Fresh} = file:read_file(filename:join(tmp(), "clients_client.erl")),
    ?assertEqual({ok, Fresh}, file:read_file(element(3, hd(Files)))).

incremental() ->
    Out = filename:join(tmp(), "clients_client.erl"),
    {ok, #file_info{mtime = Before}} = file:read_file_info(Out, [{time, posix}]),
    ?assertEqual({ok, unchanged}, generate(Out, #{})),
    {ok, #file_info{mtime = After}} = file:read_file_info(Out, [{time, posix}]),
    ?assertEqual(Before, After),
    Other = filename:join(tmp(), "other.erl"),
    ok = file:write_file(Other, <<"stale">>),
    ?assertEqual({error, {stale, Other}}, generate(Other, #{check => true})),
    ?assertEqual({ok, <<"stale">>}, file:read_file(Other)),
    ?assertEqual({ok, written}, generate(Other, #{})),
    ?assertEqual(file:read_file(Out), file:read_file(Other)).

round_trips() ->
    {ok, P} = ?C:open(),
    ?assertEqual({255, -32768, 4294967295, -9223372036854775808, 18446744073709551615},
                 ?C:ints(P, 255, -32768, 4294967295, -9223372036854775808,
                         18446744073709551615)),
    ?assertEqual(3.0, ?C:float(P, 1.5)),
    ?assertEqual(false, ?C:flag(P, true)),
    ?assertEqual({hello, flipped}, ?C:atom(P, hello)),
    ?assertEqual(<<3, 2, 1>>, ?C:bin(P, <<1, 2, 3>>)),
    ?assertEqual(<<3, 2, 1>>, ?C:bin(P, [1, 2, 3])),
    ?assertEqual(<<"ÉTÉ"/utf8>>, ?C:text(P, <<"été"/utf8>>)),
    ?assertEqual([3, 2, 1], ?C:list(P, [1, 2, 3])),
    ?assertEqual([], ?C:list(P, [])),
    ?assertEqual({true, <<"x">>, 7}, ?C:tuple(P, {7, <<"x">>, true})),
    ?assertEqual(#{<<"a">> => 2, <<"b">> => 4294967296},
                 ?C:map(P, #{<<"a">> => 1, <<"b">> => 4294967295})),
    ?assertEqual(#{}, ?C:map(P, #{})),
    ?assertEqual(6, ?C:option(P, 5)),
    ?assertEqual(undefined, ?C:option(P, undefined)),
    ?assertEqual(<<"hi!">>, ?C:or_nil(P, <<"hi">>)),
    ?assertEqual(nil, ?C:or_nil(P, nil)),
    ?assertEqual({ok, 5}, ?C:result(P, 5)),
    ?assertEqual({error, <<"-5 is negative">>}, ?C:result(P, -5)),
    ?assertEqual(ok, ?C:store(P, 9)),
    ?assertEqual(9, ?C:stored(P)),
    ?assertEqual(ok, ?C:nonzero(P, 1)),
    ?assertEqual({error, zero}, ?C:nonzero(P, 0)),
    ?assertEqual(#{x => 4, y => -1}, ?C:shift(P, #{x => 1, y => 2}, 3, -3)),
    ?assertEqual(empty, ?C:grow(P, empty)),
    ?assertEqual({circle, #{x => 0, y => 0}, 2}, ?C:grow(P, {circle, #{x => 0, y => 0}, 1})),
    ?assertEqual({rect, #{x => 1, y => 1}, 3, 4},
                 ?C:grow(P, {rect, #{x => 1, y => 1}, 2, 3})),
    %% An Elixir struct: written with its module's key, read with it or without.
    Spot = #{'__struct__' => 'Elixir.Clients.Client.Spot', label => <<"a">>,
             at => #{x => 1, y => 2}, weight => 3},
    ?assertEqual(Spot#{at := #{x => 2, y => 4}, weight := 4}, ?C:move_spot(P, Spot, 1, 2)),
    ?assertEqual(Spot#{weight := 1},
                 ?C:move_spot(P, #{label => <<"a">>, at => #{x => 1, y => 2}}, 0, 0)),
    ?assertEqual({ok, 5}, ?C:add(P, 2, 3)),
    ?assertEqual({ok, 5}, ?C:add(P, 2, 3, 1000)),
    ?assertEqual({ok, <<"x">>}, ?C:nonempty(P, <<"x">>)),
    ?assertEqual({error, <<"empty">>}, ?C:nonempty(P, <<>>)),
    ?assertEqual({ok, ok}, ?C:noop(P)),
    ?assertEqual(<<"cba">>, ?C:reverse(P, <<"abc">>)),
    ?assertEqual(<<"cba">>, ?C:reverse(P, [$a, <<"b">>, "c"])),
    ok = ?C:close(P).

refusals() ->
    {ok, P} = ?C:open(),
    ?assertError({badarg, <<"command flag: expected true or false, found an integer "
                            "(argument 1, `b`)">>},
                 ?C:flag(P, 3)),
    ?assertError({badarg, _}, ?C:ints(P, 256, 0, 0, 0, 0)),
    ?assertError({badarg, _}, ?C:shift(P, #{x => 1}, 0, 0)),
    ?assertError({badarg, <<"command move_spot: expected a %Clients.Client.Spot{} struct, "
                            "found %Other.Spot{} (Spot, in argument 1, `s`)">>},
                 ?C:move_spot(P, #{'__struct__' => 'Elixir.Other.Spot', label => <<"a">>,
                                   at => #{x => 1, y => 2}}, 0, 0)),
    ?assertMatch({error, {badarg, <<"command add: ", _/binary>>}}, ?C:add(P, -1, 2)),
    %% The port is still there.
    ?assertEqual({ok, 3}, ?C:add(P, 1, 2)),
    ok = ?C:close(P).

open_close() ->
    {ok, P} = ?C:open([binary]),
    ?assert(is_port(P)),
    ok = ?C:close(P),
    ?assertEqual(undefined, erlang:port_info(P)),
    %% A second close is harmless.
    ok = ?C:close(P),
    {ok, P2} = ?C:open(),
    ?assertEqual(9.0, ?C:float(P2, 4.5)),
    ok = ?C:close(P2).

%% Two processes of a running application (clients_app, whose start/2 takes no load of
%% the driver) open ports through the client: each port keeps its own load, so the first
%% closing leaves the second working.
application_ports() ->
    App = clients_app,
    Callback = filename:join(tmp(), "clients_app_cb.erl"),
    ok = file:write_file(Callback,
                         "-module(clients_app_cb).\n"
                         "-behaviour(application).\n-behaviour(supervisor).\n"
                         "-export([start/2, stop/1, init/1]).\n"
                         "start(_, _) -> supervisor:start_link(?MODULE, []).\n"
                         "stop(_) -> ok.\n"
                         "init([]) -> {ok, {#{}, []}}.\n"),
    clients_app_cb = compile_load(Callback),
    AppFile = filename:join(ebin(), "clients_app.app"),
    Spec = {application, App, [{vsn, "1"}, {modules, [clients_app_cb]}, {registered, []},
                               {applications, [kernel, stdlib]},
                               {mod, {clients_app_cb, []}}]},
    ok = file:write_file(AppFile, io_lib:format("~p.~n", [Spec])),
    ok = application:start(App),
    try
        Master = application_controller:get_master(App),
        Self = self(),
        Open = fun() ->
                       spawn_link(fun() ->
                                          group_leader(Master, self()),
                                          {ok, App} = application:get_application(),
                                          {ok, P} = ?C:open(),
                                          Self ! {opened, self(), P},
                                          receive close -> ok = ?C:close(P) end,
                                          Self ! {closed, self()},
                                          receive stop -> ok end
                                  end)
               end,
        W1 = Open(),
        P1 = receive {opened, W1, Port1} -> Port1 end,
        W2 = Open(),
        P2 = receive {opened, W2, Port2} -> Port2 end,
        W1 ! close,
        receive {closed, W1} -> ok end,
        ?assertEqual(undefined, erlang:port_info(P1)),
        ?assertNotEqual(undefined, erlang:port_info(P2)),
        ?assertEqual({ok, 3}, ?C:add(P2, 1, 2)),
        W2 ! close,
        receive {closed, W2} -> ok end,
        [W ! stop || W <- [W1, W2]],
        ok
    after
        ok = application:stop(App),
        ok = application:unload(App),
        ok = file:delete(AppFile)
    end.

interface() ->
    {ok, P} = ?C:open(),
    #{fingerprint := F, commands := Commands, types := Types} = erldrv:interface(P),
    ?assert(is_integer(F)),
    Names = [N || #{name := N} <- Commands],
    ?assertEqual([ints, float, flag, atom, bin, text, list, tuple, map, option, or_nil,
                  result, store, stored, nonzero, shift, grow, move_spot, add, nonempty, noop,
                  reverse],
                 Names),
    [Shift] = [C || #{name := shift} = C <- Commands],
    ?assertMatch(#{kind := sync,
                   args := [#{name := p, type := {named, <<"point">>}},
                            #{name := dx, type := {integer, -2147483648, 2147483647}},
                            #{name := dy}],
                   reply := {named, <<"point">>},
                   doc := <<"The point moved by `(dx, dy)`.">>},
                 Shift),
    ?assertMatch([{type, <<"point">>, _, <<"A point on a grid.">>, output, {fields, _}},
                  {type, <<"shape">>, _, _, output, {union, _}},
                  {type, <<"spot_input">>, _, _, input, {fields, _}},
                  {type, <<"spot">>, _, _, output, {fields, _}}], Types),
    %% The commands table of erldrv:commands/1 is still there.
    ?assertEqual(Names, [N || #{name := N} <- erldrv:commands(P)]),
    ok = ?C:close(P).

stale() ->
    %% The client of clients_old_drv, made for driver clients_drv: what a client generated
    %% before the driver changed looks like.
    ok = erldrv_test:load("clients_old_drv"),
    Old = erldrv_test:open("clients_old_drv"),
    {ok, Source} = erldrv:client_source(Old, erlang, stale_client,
                                        #{app => clients_app, driver => clients_drv}),
    port_close(Old),
    File = filename:join(tmp(), "stale_client.erl"),
    ok = file:write_file(File, Source),
    stale_client = compile_load(File),
    Loaded = erl_ddll:loaded_drivers(),
    {error, {interface_mismatch, Details}} = stale_client:open(),
    #{added := Added, removed := Removed, changed := Changed,
      expected := Expected, found := Found} = Details,
    ?assertEqual([retired], Removed),
    ?assertEqual([ints], Changed),
    ?assertEqual([flag, atom, bin, text, list, tuple, map, option, or_nil, result, store,
                  stored, nonzero, shift, grow, move_spot, add, nonempty, noop, reverse], Added),
    ?assertNotEqual(Expected, Found),
    ?assertEqual(Found, maps:get(fingerprint, erldrv_interface())),
    %% The failed open closed its port and dropped its load.
    ?assertEqual(Loaded, erl_ddll:loaded_drivers()),
    %% A client of the same interface opens.
    {ok, P} = ?C:open(),
    ok = ?C:close(P).

erldrv_interface() ->
    {ok, P} = ?C:open(),
    I = erldrv:interface(P),
    ok = ?C:close(P),
    I.

client_errors() ->
    {ok, P} = ?C:open(),
    ?assertMatch({error, <<"\"not_an_alias\" is not an Elixir module name", _/binary>>},
                 erldrv:client_source(P, elixir, <<"not_an_alias">>, #{app => clients_app})),
    %% The driver's name defaults to the port's.
    {ok, Src} = erldrv:client_source(P, elixir, 'Elixir.Clients.Client', #{app => clients_app}),
    ?assertMatch({_, _}, binary:match(Src, <<"@driver :clients_drv">>)),
    ?assertMatch({_, _}, binary:match(Src, <<"defmodule Clients.Client do">>)),
    ?assertError(badarg, erldrv:client_source(P, cobol, m, #{app => a})),
    ok = ?C:close(P).

many_async() ->
    {ok, P} = ?C:open(),
    Self = self(),
    N = 1000,
    Pids = [spawn_link(fun() -> Self ! {self(), I, ?C:add(P, I, 1000000, 30000)} end)
            || I <- lists:seq(1, N)],
    Replies = [receive {Pid, I, Reply} -> {I, Reply} after 30000 -> error({no_reply, I}) end
               || {Pid, I} <- lists:zip(Pids, lists:seq(1, N))],
    ?assertEqual([{I, {ok, I + 1000000}} || I <- lists:seq(1, N)], Replies),
    ok = ?C:close(P).
