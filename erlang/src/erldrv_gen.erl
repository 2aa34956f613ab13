%% @doc Generates the client module of an erldrv driver's commands (its #[command] methods):
%% loads the built driver, asks it for the source (erldrv:client_source/4, rendered by the
%% driver itself) and writes the file, only when its content changed, so that builds that
%% run it every time stay incremental.
%%
%% From a build hook, a Makefile or a Rust-only project:
%%
%% ```
%% erl -noshell -pa path/to/erldrv/ebin -run erldrv_gen main \
%%     erlang priv my_drv my_app my_drv_client src/my_drv_client.erl
%% '''
%%
%% (arguments: language, driver directory, driver name, application, module, output file;
%% an optional seventh, "check", writes nothing and fails when the file is not up to date).
%% It prints what it did and halts with status 0, or prints why not and halts with 1.
-module(erldrv_gen).

-export([generate/1, main/1]).

-type options() :: #{driver_dir := file:filename(),
                     driver := atom() | string(),
                     app := atom(),
                     language := erlang | elixir,
                     module := atom() | binary(),
                     out := file:filename(),
                     args => string(),
                     check => boolean(),
                     format => fun((binary()) -> iodata())}.
-export_type([options/0]).

%% @doc Generates the client of driver Driver (the file DriverDir/Driver.so) for application App
%% (the client loads the driver from App's priv directory), in Language, as module Module
%% (an Elixir alias such as `<<"MyApp.Kv">>' or 'Elixir.MyApp.Kv' for Elixir), into file Out.
%% Optional: args (the start arguments of the port the source is asked from, when the
%% driver's start needs some), check => true (write nothing; report a stale file),
%% format (a function the source goes through before it is compared and written: the Mix
%% compiler passes Elixir's formatter, so that the file is what `mix format' makes of it).
%%
%% Returns {ok, written} (the file was missing or different), {ok, unchanged}, or
%% {error, Reason}: {stale, Out} in check mode, {client, Message} when the driver cannot
%% render the client (Message says why), {write, Out, Posix}. Raises as erldrv:load/2 when
%% the driver cannot be loaded.
-spec generate(options()) -> {ok, written | unchanged} | {error, term()}.
generate(#{driver_dir := Dir, driver := Driver, app := App, language := Language,
           module := Module, out := Out} = Options)
  when Language =:= erlang; Language =:= elixir ->
    ok = erldrv:load(Dir, Driver),
    try
        Port = case Options of
                   #{args := Args} -> erldrv:open(Driver, Args, []);
                   #{} -> erldrv:open(Driver, [])
               end,
        try erldrv:client_source(Port, Language, Module, #{app => App, driver => Driver})
        after catch erlang:port_close(Port)
        end
    of
        {ok, Source} ->
            Formatted = case Options of
                            #{format := Format} -> iolist_to_binary(Format(Source));
                            #{} -> Source
                        end,
            put_file(Out, Formatted, maps:get(check, Options, false));
        {error, Message} -> {error, {client, Message}}
    after
        _ = erldrv:unload(Driver)
    end.

put_file(Out, Source, Check) ->
    case {file:read_file(Out), Check} of
        {{ok, Source}, _} -> {ok, unchanged};
        {_, true} -> {error, {stale, Out}};
        {_, false} ->
            case file:write_file(Out, Source) of
                ok -> {ok, written};
                {error, Posix} -> {error, {write, Out, Posix}}
            end
    end.

%% @doc The command line (erl -run erldrv_gen main Language DriverDir Driver App Module Out
%% [check]): generate/1, then halt with 0 or 1.
-spec main([string()]) -> no_return().
main([Language, Dir, Driver, App, Module, Out | Rest]) when Rest =:= []; Rest =:= ["check"] ->
    Lang = case Language of
               "erlang" -> erlang;
               "elixir" -> elixir;
               _ -> usage()
           end,
    Options = #{driver_dir => Dir, driver => list_to_atom(Driver),
                app => list_to_atom(App), language => Lang,
                module => unicode:characters_to_binary(Module), out => Out,
                check => Rest =:= ["check"]},
    try generate(Options) of
        {ok, What} ->
            io:format("erldrv_gen: ~ts ~s~n", [Out, What]),
            erlang:halt(0);
        {error, {stale, _}} ->
            io:format(standard_error, "erldrv_gen: ~ts is not up to date with driver ~ts; "
                      "regenerate it (run the same command without \"check\")~n", [Out, Driver]),
            erlang:halt(1);
        {error, Reason} ->
            io:format(standard_error, "erldrv_gen: ~ts: ~tp~n", [Out, Reason]),
            erlang:halt(1)
    catch
        Class:Error ->
            io:format(standard_error, "erldrv_gen: ~ts: ~tp:~tp~n", [Out, Class, Error]),
            erlang:halt(1)
    end;
main(_) ->
    usage().

usage() ->
    io:format(standard_error, "usage: erl -noshell -pa ERLDRV_EBIN -run erldrv_gen main "
              "erlang|elixir DRIVER_DIR DRIVER APP MODULE OUT [check]~n", []),
    erlang:halt(2).
