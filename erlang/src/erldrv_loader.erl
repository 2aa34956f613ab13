%% Loads erldrv drivers, turning erl_ddll's error terms into readable errors.
-module(erldrv_loader).
-export([load/2, unload/1]).

%% Loads driver Name from directory Dir (the file is Dir/Name.so).
%% Returns ok, also when the driver is already loaded; raises
%% error({erldrv_load_failed, Name, Dir, Text}) otherwise.
-spec load(file:filename(), string()) -> ok.
load(Dir, Name) ->
    case erl_ddll:load_driver(Dir, Name) of
        ok -> ok;
        {error, already_loaded} -> ok;
        {error, Reason} ->
            error({erldrv_load_failed, Name, Dir, erl_ddll:format_error(Reason)})
    end.

%% Unloads driver Name; the VM finishes unloading once its last port has closed.
-spec unload(string()) -> ok | {error, term()}.
unload(Name) ->
    erl_ddll:unload_driver(Name).
