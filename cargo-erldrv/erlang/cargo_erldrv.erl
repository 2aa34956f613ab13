%% The Erlang half of `cargo erldrv gen`: checks that a built driver has commands, then has
%% erldrv_gen write each client only when its content changed, or, in check mode, write
%% nothing and report stale ones. Embedded in the cargo-erldrv binary and compiled next to
%% erldrv.erl and erldrv_gen.erl into a temporary directory.
%%
%%   erl -noshell -pa EBIN -run cargo_erldrv main DriverDir Driver App =StartArgs Check \
%%       Language Module Out [Language Module Out]
%%
%% (StartArgs after a "=", which keeps an empty one from vanishing; Check is "check" or
%% "write").
%% Prints one line per file ("written Out", "unchanged Out", "stale Out") and halts with
%% 0 (all up to date or written), 1 (check mode: some file is stale) or 2 (an error, the
%% line "error: Text" on standard error).
-module(cargo_erldrv).

-export([main/1]).

-spec main([string()]) -> no_return().
main([Dir, Driver, App, [$= | StartArgs], Check | Files]) ->
    try run(Dir, Driver, list_to_atom(App), StartArgs, Check =:= "check", triples(Files)) of
        Results ->
            [io:format("~s ~ts~n", [What, Out]) || {What, Out} <- Results],
            erlang:halt(case lists:keymember(stale, 1, Results) of true -> 1; false -> 0 end)
    catch
        throw:{cargo_erldrv, Text} -> fail(Text);
        error:{erldrv_load_failed, _, _, Text} ->
            fail(io_lib:format("the VM could not load driver ~ts from ~ts: ~ts", [Driver, Dir, Text]));
        Class:Reason:Stack ->
            fail(io_lib:format("~tp:~tp~n~tp", [Class, Reason, Stack]))
    end.

triples([Language, Module, Out | Rest]) -> [{list_to_atom(Language), Module, Out} | triples(Rest)];
triples([]) -> [].

fail(Text) ->
    io:format(standard_error, "error: ~ts~n", [Text]),
    erlang:halt(2).

run(Dir, Driver, App, StartArgs, Check, Files) ->
    has_commands(Dir, Driver, StartArgs),
    [generate(Dir, Driver, App, StartArgs, Check, File) || File <- Files].

%% A driver whose port does not open, or without #[command] methods, has no client to
%% generate: said here, before erldrv_gen would say it less plainly.
has_commands(Dir, Driver, StartArgs) ->
    ok = erldrv:load(Dir, Driver),
    try
        Port = try erldrv:open(Driver, StartArgs, [])
               catch Class:Reason ->
                   throw({cargo_erldrv, io_lib:format("driver ~ts refused to open a port "
                                                      "(~tp:~tp); if its start needs "
                                                      "arguments, pass --args", [Driver, Class, Reason])})
               end,
        try erldrv:commands(Port) of
            [_ | _] -> ok;
            _ -> no_commands(Driver)
        catch _:_ -> no_commands(Driver)
        after catch erlang:port_close(Port)
        end
    after
        _ = erldrv:unload(Driver)
    end.

no_commands(Driver) ->
    throw({cargo_erldrv, io_lib:format("driver ~ts has no #[command] methods: "
                                       "there is no client to generate", [Driver])}).

%% One client, through erldrv_gen (which writes it only when its content changed).
generate(Dir, Driver, App, StartArgs, Check, {Language, Module, Out}) ->
    Options = #{driver_dir => Dir, driver => Driver, app => App, language => Language,
                module => unicode:characters_to_binary(Module), out => Out,
                args => StartArgs, check => Check},
    case erldrv_gen:generate(Options) of
        {ok, written} -> {written, Out};
        {ok, unchanged} -> {unchanged, Out};
        {error, {stale, _}} -> {stale, Out};
        {error, {client, Message}} ->
            throw({cargo_erldrv, io_lib:format("driver ~ts cannot render its ~s client ~ts: ~ts",
                                               [Driver, Language, Module, Message])});
        {error, {write, _, Posix}} ->
            throw({cargo_erldrv, io_lib:format("cannot write ~ts: ~ts",
                                               [Out, file:format_error(Posix)])})
    end.
