%% The Erlang side of erldrv drivers: loading with readable errors, and port_call with
%% the framework's argument errors raised as exceptions.
%%
%% A driver is loaded from the file Dir/Name.so, and its driver name must be Name. Load
%% failures raise error({erldrv_load_failed, Name, Where, Text}), where Text is a string
%% that names the file, says what is wrong with it and how to fix the usual mistakes:
%% the library installed under cargo's name (libName.so), a driver name that is not the
%% file name, a library that is not a driver (no driver_init), a driver built for another
%% driver API version, the same driver name already loaded from another file.
-module(erldrv).
-export([load/2, load_priv/2, unload/1, call/3]).

%% Loads driver Name from directory Dir (the file is Dir/Name.so).
%% Returns ok, also when the driver is already loaded from there; raises
%% error({erldrv_load_failed, Name, Dir, Text}) otherwise.
-spec load(file:filename(), string() | atom()) -> ok.
load(Dir, Name) ->
    case erl_ddll:load_driver(Dir, Name) of
        ok -> ok;
        {error, already_loaded} -> ok;
        {error, Reason} ->
            Text = explain(Reason, Dir, to_string(Name)),
            erlang:error({erldrv_load_failed, Name, Dir, Text}, [Dir, Name])
    end.

%% Loads driver Name from the priv directory of application App (code:priv_dir/1), where
%% a build installs it as priv/Name.so. Raises error({erldrv_load_failed, Name, App, Text})
%% if App is not in the code path, and otherwise fails as load/2 does.
-spec load_priv(atom(), string() | atom()) -> ok.
load_priv(App, Name) ->
    case code:priv_dir(App) of
        {error, bad_name} ->
            Text = format("application ~tp is not in the code path, so it has no priv "
                          "directory to load driver ~ts from (is ~tp a dependency, and "
                          "was it built?)", [App, to_string(Name), App]),
            erlang:error({erldrv_load_failed, Name, App, Text}, [App, Name]);
        Dir ->
            load(Dir, Name)
    end.

%% Unloads driver Name; the VM finishes unloading once its last port has closed.
-spec unload(string() | atom()) -> ok | {error, term()}.
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

%% What went wrong, for a person. erl_ddll's own texts name neither the file nor the
%% remedy; its reasons are mapped to both here, and anything else keeps its own text.
explain(Reason, Dir, Name) ->
    File = filename:join(Dir, Name ++ ".so"),
    case Reason of
        {open_error, _} ->
            case filelib:is_regular(File) of
                true -> format("~ts: ~ts", [File, erl_ddll:format_error(Reason)]);
                false -> missing_file(Dir, Name, File)
            end;
        bad_driver_name ->
            case lists:member(Name, loaded_drivers()) of
                true ->
                    format("a driver named ~ts is already loaded, from another file: the "
                           "VM holds one driver per name. Unload it (erldrv:unload/1; it "
                           "goes once its ports are closed) before loading ~ts",
                           [Name, File]);
                false ->
                    format("driver name mismatch: ~ts holds a driver that is not named "
                           "~tp. The driver name (#[erl_driver(name = \"...\")], by default "
                           "the crate name) must be the file name without .so",
                           [File, Name])
            end;
        no_driver_init ->
            format("~ts is a shared library but not a driver: it has no driver_init "
                   "function. A Rust driver gets one from #[erl_driver] on its "
                   "impl Driver, in a crate with crate-type = [\"cdylib\"]", [File]);
        driver_incorrect_version ->
            format("~ts was built for a driver API version this VM does not load: "
                   "OTP ~ts has driver version ~ts and loads drivers of the same major "
                   "version and an equal or lower minor version. Rebuild the driver for "
                   "this OTP (erldrv drivers are version 3.3, for OTP 19 and later)",
                   [File, erlang:system_info(otp_release),
                    erlang:system_info(driver_version)]);
        _ ->
            format("~ts: ~ts", [File, erl_ddll:format_error(Reason)])
    end.

%% Dir/Name.so does not exist: say what is there instead, if anything.
missing_file(Dir, Name, File) ->
    %% Cargo names the library libName.so (libName.dylib on macOS).
    CargoNames = ["lib" ++ Name ++ ".so", "lib" ++ Name ++ ".dylib", Name ++ ".dylib"],
    case filelib:is_dir(Dir) of
        false ->
            format("~ts does not exist: directory ~ts is missing", [File, Dir]);
        true ->
            case [F || F <- CargoNames, filelib:is_regular(filename:join(Dir, F))] of
                [Found | _] ->
                    format("wrong file name: ~ts does not exist, but ~ts does. The VM "
                           "opens ~ts.so, without the lib prefix cargo gives the library "
                           "(and with .so on macOS too): install the library as ~ts",
                           [File, filename:join(Dir, Found), Name, File]);
                [] ->
                    format("~ts does not exist: build the driver and install its library "
                           "there as ~ts.so", [File, Name])
            end
    end.

loaded_drivers() ->
    {ok, Drivers} = erl_ddll:loaded_drivers(),
    Drivers.

to_string(Name) when is_atom(Name) -> atom_to_list(Name);
to_string(Name) -> unicode:characters_to_list(Name).

format(Format, Args) ->
    lists:flatten(io_lib:format(Format, Args)).
