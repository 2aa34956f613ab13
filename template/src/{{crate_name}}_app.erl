%% @doc The {{crate_name}} application: loads the driver once, when the application
%% starts, and keeps it loaded until the application stops.
%%
%% start/2 and stop/1 run in the one process the application master keeps for the
%% application's lifetime, so the driver load taken in start/2 lasts as long as the
%% application: ports opened meanwhile (by {{crate_name}}_server, or by callers of the
%% generated client {{crate_name}}_native) load nothing themselves, and closing the last
%% of them leaves the driver loaded. A driver that cannot be loaded makes the application
%% fail to start, with erldrv's message saying why.
-module({{crate_name}}_app).
-behaviour(application).
-export([start/2, stop/1]).

-define(DRIVER, {{crate_name}}).

-spec start(application:start_type(), term()) -> {ok, pid()} | {error, term()}.
start(_Type, _Args) ->
    try erldrv:load_priv({{crate_name}}, ?DRIVER) of
        ok -> {{crate_name}}_sup:start_link()
    catch
        error:{erldrv_load_failed, _, _, Text} -> {error, {erldrv_load_failed, Text}}
    end.

-spec stop(term()) -> ok.
stop(_State) ->
    %% The supervision tree has stopped: its ports are closed.
    _ = erldrv:unload(?DRIVER),
    ok.
