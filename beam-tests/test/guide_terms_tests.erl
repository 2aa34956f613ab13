%% The guide's typed commands (erldrv/src/guide/typed_calls.md): the commands of stock_drv
%% called by number as erldrv:commands/1 lists them, with derived types as maps, tagged
%% tuples and atoms; refused arguments; the generated client's functions. Drives
%% beam-tests/drivers/guide_terms.
-module(guide_terms_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "stock_drv").

ids(Port) ->
    maps:from_list([{N, Id} || #{name := N, id := Id} <- erldrv:commands(Port)]).

commands_test() ->
    ok = erldrv:load(erldrv_test:driver_dir(), ?DRV),
    Port = erldrv:open(?DRV, [binary]),
    Ids = ids(Port),
    ?assertEqual([list, put, take, total], lists:sort(maps:keys(Ids))),
    Put = maps:get(put, Ids),
    Take = maps:get(take, Ids),
    ?assertEqual(3, erldrv:command(Port, Put, {#{name => <<"bolt">>, count => 3}})),
    ?assertEqual(5, erldrv:command(Port, Put, {#{name => <<"bolt">>, count => 2}})),
    ?assertEqual(1, erldrv:command(Port, Put, {#{count => 1, name => <<"nut">>}})),
    ?assertEqual({ok, 1}, erldrv:command(Port, Take, {<<"bolt">>, 4})),
    ?assertEqual({error, {short_of, <<"bolt">>, 1}}, erldrv:command(Port, Take, {<<"bolt">>, 2})),
    ?assertEqual({error, unknown}, erldrv:command(Port, Take, {<<"washer">>, 1})),
    ?assertEqual([#{name => <<"bolt">>, count => 1}, #{name => <<"nut">>, count => 1}],
                 erldrv:command(Port, maps:get(list, Ids), {})),
    ?assertEqual({ok, 7},
                 erldrv:command_async(Port, maps:get(total, Ids),
                                      {[#{name => <<"a">>, count => 3},
                                        #{name => <<"b">>, count => 4}]}, 5000)),
    %% Arguments that do not fit never reach the method.
    {'EXIT', {{badarg, Message}, _}} =
        (catch erldrv:command(Port, Put, {#{name => <<"bolt">>, count => -1}})),
    ?assertMatch({_, _}, binary:match(Message, <<"command put:">>)),
    %% The generated client: one function per command, the number inside.
    {ok, Source} = erldrv:client_source(Port, erlang, stock, #{app => stock_app}),
    Dir = filename:join(erldrv_test:driver_dir(), "../guide_terms"),
    File = filename:join(Dir, "stock.erl"),
    ok = filelib:ensure_dir(File),
    ok = file:write_file(File, Source),
    {ok, stock, Beam, []} = compile:file(File, [binary, return, warnings_as_errors]),
    {module, stock} = code:load_binary(stock, File, Beam),
    ?assertEqual(2, stock:put(Port, #{name => <<"nut">>, count => 1})),
    ?assertEqual({error, unknown}, stock:take(Port, <<"washer">>, 1)),
    ?assertEqual({ok, 2}, stock:total(Port, [#{name => <<"nut">>, count => 2}])),
    port_close(Port),
    ok = erldrv:unload(?DRV).
