%% The Erlang side of erldrv drivers: loading with readable errors, and port_call with
%% the framework's argument errors raised as exceptions.
-module(erldrv).
-export([load/2, unload/1, call/3]).

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

%% erlang:port_call/3 for a driver whose call takes typed arguments. When the driver
%% refuses the arguments (they do not decode as its argument type, or the driver returns
%% a CallError), it replies {erldrv_badarg, Message}; this raises error({badarg, Message})
%% instead, with the call's arguments in the stack trace.
-spec call(port(), non_neg_integer(), term()) -> term().
call(Port, Command, Args) ->
    case erlang:port_call(Port, Command, Args) of
        {erldrv_badarg, Message} -> erlang:error({badarg, Message}, [Port, Command, Args]);
        Reply -> Reply
    end.
