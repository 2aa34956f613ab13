%% @doc The Erlang side of erldrv drivers: loading, replacing and unloading a driver with
%% readable errors; opening ports and making control and call requests with the reasons
%% the driver gives raised as exceptions.
%%
%% A driver is loaded from the file Dir/Name.so, and its driver name must be Name. Load
%% failures raise error({erldrv_load_failed, Name, Where, Text}), where Text is a string
%% that names the file, says what is wrong with it and how to fix the usual mistakes:
%% the library installed under cargo's name (libName.so), a driver name that is not the
%% file name, a library that is not a driver (no driver_init), a driver built for another
%% driver API version, the same driver name already loaded from another file, an init
%% that failed (with the driver's own reason).
%%
%% erl_ddll keeps a driver loaded for each process that loaded it, until that process
%% unloads it or exits. load/2 loads the way erl_ddll:load/2 does, without the kill_ports
%% option of erl_ddll:load_driver/2: so when the last process that loaded a driver exits,
%% ports of the driver that are still open keep working, and the driver goes once they
%% are closed; and the driver can be replaced with reload/2 or erl_ddll:reload/2. The VM
%% refuses to load one driver both ways (with and without kill_ports).
%%
%% The runtime tells callers why a request failed with messages and replies this module
%% turns into exceptions:
%%   {Port, {erldrv_start_error, Reason}}  start refused the arguments (open/2,3)
%%   {Port, {erldrv_badarg, Reason}}       control refused the request (control/3)
%%   {Port, {erldrv_panic, Message}}       the callback panicked (open, control, call)
%%   {erldrv_badarg, Message}, {erldrv_panic, Message}   replies of call (call/3)
%% and tells load/2 why init failed in the VM environment variable
%% `ERLDRV_INIT_ERROR_<Name>'.
-module(erldrv).
-export([load/2, load/3, load_priv/2, unload/1, reload/2,
         open/2, open/3, control/3, call/3,
         request/3, request/4, send_request/3, send_command_request/2,
         command_request/3, await/2, check/2, cancel/1,
         command/3, command_failed/4, sent_reply/3, command_async/4, commands/1,
         interface/1, check_interface/3, client_source/4, open_client/5, close_client/2]).
-export_type([request_id/0, command_info/0, interface_mismatch/0]).

%% The port_control commands the runtime takes for itself (see send_request/3).
-define(REQUEST, 16#FFFFFF01).
-define(CANCEL, 16#FFFFFF02).
%% The port_control command that answers the table of the driver's commands (commands/1).
-define(COMMANDS, 16#FFFFFF03).
%% The port_control commands that answer the driver's interface (interface/1) and a
%% client module's source (client_source/4).
-define(INTERFACE, 16#FFFFFF04).
-define(CLIENT, 16#FFFFFF05).
%% The default timeout of request/3 and command_request/2, as gen_server:call/2's.
-define(REQUEST_TIMEOUT, 5000).
%% How long cancel/1 waits for a reply the driver was already sending.
-define(CANCEL_WAIT, 1000).

%% One #[command] method of the driver, as commands/1 describes it: its name, its number
%% (what command/3 and command_async/4 take), its kind, its arguments (name and Rust type,
%% in order), its Rust return type and its doc comment.
-type command_info() :: #{name := atom(), id := non_neg_integer(),
                          kind := sync | async | bytes,
                          args := [#{name := atom(), type := binary()}],
                          ret := binary(), doc := binary()}.

%% What differs between the commands a generated client was made for and the driver's:
%% the commands the driver has and the client lacks (added), the reverse (removed), those
%% of both whose number, kind or types differ (changed), and both fingerprints; or
%% no_interface for a driver that does not describe its commands.
-type interface_mismatch() :: #{added := [atom()], removed := [atom()],
                                changed := [atom()], expected := non_neg_integer(),
                                found := non_neg_integer()}
                            | no_interface.

%% A request in flight: what send_request/3 returns and await/2 waits for.
-opaque request_id() :: {erldrv_request, port(), reference()}.
-type request_result() :: {ok, term()} | {error, term()}.

%% How long reload/2 waits for the VM to replace the library.
-define(RELOAD_TIMEOUT, 10000).

-type name() :: string() | atom().

%% @doc Loads driver Name from directory Dir (the file is Dir/Name.so), for the calling
%% process: the driver stays loaded until this process unloads it (unload/1) or exits,
%% and, after that, until its last port is closed (see the module comment). Returns ok,
%% also when the driver is already loaded from there; each call counts, and takes an
%% unload/1 of its own. Raises
%% error({erldrv_load_failed, Name, Dir, Text}) when it cannot be loaded; when the
%% driver's init failed, Text ends with the reason the driver gave (or its panic message).
-spec load(file:filename(), name()) -> ok.
load(Dir, Name) ->
    NameS = to_string(Name),
    %% A reason left over from an earlier failure must not be taken for this one's.
    os:unsetenv(init_error_var(NameS)),
    case try_load(Dir, NameS, []) of
        ok -> ok;
        {error, Reason} ->
            Text = explain(Reason, Dir, NameS),
            erlang:error({erldrv_load_failed, Name, Dir, Text}, [Dir, Name])
    end.

%% @doc load/2 with options for the driver's worker pool, overriding the driver's own settings:
%% {workers, N}, its number of threads, and {queue, N}, how many jobs may wait for one.
%% They go through the VM environment variables `ERLDRV_WORKERS_<Name>' and
%% `ERLDRV_QUEUE_<Name>', which the driver reads when its pool starts (at its first job).
-spec load(file:filename(), name(), [{workers | queue, pos_integer()}]) -> ok.
load(Dir, Name, Options) ->
    lists:foreach(
      fun({Key, N}) when (Key =:= workers orelse Key =:= queue), is_integer(N), N > 0 ->
              Var = string:uppercase(atom_to_list(Key)),
              os:putenv("ERLDRV_" ++ Var ++ "_" ++ to_string(Name), integer_to_list(N));
         (Other) ->
              erlang:error({badarg, Other}, [Dir, Name, Options])
      end, Options),
    load(Dir, Name).

%% @doc Loads driver Name from the priv directory of application App (code:priv_dir/1), where
%% a build installs it as priv/Name.so. Raises error({erldrv_load_failed, Name, App, Text})
%% if App is not in the code path, and otherwise fails as load/2 does (with the priv
%% directory in place of App).
-spec load_priv(atom(), name()) -> ok.
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

%% @doc Unloads driver Name for the calling process (erl_ddll:unload_driver/1). Returns ok,
%% or {error, not_loaded} / {error, not_loaded_by_this_process} / {error, permanent} /
%% {error, linked_in_driver}; raises only badarg, for a Name that is not a string or atom.
%%
%% If other processes have loaded the driver too, this only drops the caller's load: the
%% driver, its ports and finish are untouched, and ok is returned at once.
%%
%% If the caller is the last process that loaded it, the driver's open ports are closed
%% with exit reason driver_unloaded, whoever owns them (a linked owner that traps exits
%% receives {'EXIT', Port, driver_unloaded}; each port's stop runs). Once the last port
%% is gone the VM removes the driver from its list, runs finish (which, for an erldrv
%% driver, also stops and joins the driver's threads) and unmaps the library. unload/1
%% returns ok only after all of that: when it returns, erl_ddll:loaded_drivers/0 no longer
%% lists the driver. While finish runs, erl_ddll:loaded_drivers/0 waits for it.
-spec unload(name()) -> ok | {error, term()}.
unload(Name) ->
    erl_ddll:unload_driver(Name).

%% @doc Replaces the library of driver Name, loaded by the calling process, with the file
%% Dir/Name.so (which may be the same path, holding a new file). The driver must have no
%% open port, and no other process may have it loaded. The VM then runs the old library's
%% finish, unmaps it, and loads the new one (its init runs); ports opened afterwards run
%% the new code. Returns ok once the new library is loaded.
%%
%% Raises error({erldrv_load_failed, Name, Dir, Text}) when the driver is not loaded,
%% still has open ports, is loaded by other processes or not by this one, when
%% Dir/Name.so is missing (the old library stays), and when the new file fails to load:
%% then the old library has already been unloaded, and the driver is no longer loaded.
%% Should a port be opened between the check and the replacement, the replacement waits
%% for every port to close (for a driver loaded with kill_ports, the VM closes them with
%% reason driver_unloaded instead); after 10 s (RELOAD_TIMEOUT) this raises, saying the
%% replacement is still pending.
-spec reload(file:filename(), name()) -> ok.
reload(Dir, Name) ->
    NameS = to_string(Name),
    Fail = fun(Text) -> erlang:error({erldrv_load_failed, Name, Dir, Text}, [Dir, Name]) end,
    case driver_info(NameS, port_count) of
        {ok, 0} -> ok;
        {ok, N} when is_integer(N) ->
            Fail(format("driver ~ts still has ~b open port~ts: a reload replaces the "
                        "library only once no port uses it. Close the ports first "
                        "(port_close/1)", [NameS, N, plural(N)]));
        {ok, _LinkedOrPermanent} ->
            Fail(explain_reload(permanent, NameS));
        not_loaded ->
            Fail(explain_reload(not_loaded, NameS))
    end,
    File = filename:join(Dir, NameS ++ ".so"),
    filelib:is_regular(File) orelse Fail(missing_file(Dir, NameS, File)),
    %% The VM wants the options of the first load again (kill_ports or not).
    Options = case driver_info(NameS, driver_options) of
                  {ok, [_ | _] = DriverOptions} -> [{driver_options, DriverOptions}];
                  _ -> []
              end,
    os:unsetenv(init_error_var(NameS)),
    case erl_ddll:try_load(Dir, NameS, [{monitor, pending_driver},
                                        {reload, pending_driver} | Options]) of
        {ok, pending_driver, Ref} ->
            receive
                {'UP', Ref, driver, _, loaded} ->
                    ok;
                {'DOWN', Ref, driver, _, {load_failure, Failure}} ->
                    Fail(explain(Failure, Dir, NameS) ++ format(
                           ". The old library was unloaded before the new one was "
                           "opened, so driver ~ts is no longer loaded", [NameS]));
                {'UP', Ref, driver, _, permanent} ->
                    Fail(explain_reload(permanent, NameS));
                {'DOWN', Ref, driver, _, load_cancelled} ->
                    Fail(format("the reload of driver ~ts was cancelled: the process that "
                                "loaded it unloaded it meanwhile", [NameS]))
            after ?RELOAD_TIMEOUT ->
                erl_ddll:demonitor(Ref),
                Fail(format("the reload of driver ~ts is still pending after ~b ms: ports "
                            "of the driver were opened meanwhile, or the old library's "
                            "finish has not returned (see the VM's standard error). The "
                            "VM replaces the library once every port is closed",
                            [NameS, ?RELOAD_TIMEOUT]))
            end;
        {error, Reason} ->
            Fail(explain_reload(Reason, NameS))
    end.

%% @doc Opens a port of driver Name: erlang:open_port({spawn_driver, Name}, Opts). Returns the
%% port. When open_port/2 raises Error (badarg, einval, an errno atom such as enoent):
%% if the driver said why (it refused the arguments), raises error({Error, Reason});
%% if start panicked, raises error({erldrv_panic, Message}); otherwise raises Error as
%% open_port/2 did.
-spec open(name(), list()) -> port().
open(Name, Opts) ->
    spawn_driver(to_string(Name), Opts, [Name, Opts]).

%% @doc Like open/2, with arguments for the driver's start: the command is "Name Args" (just
%% "Name" when Args is empty).
-spec open(name(), string() | binary(), list()) -> port().
open(Name, Args, Opts) ->
    Command = case to_string(Args) of
                  "" -> to_string(Name);
                  Text -> to_string(Name) ++ " " ++ Text
              end,
    spawn_driver(Command, Opts, [Name, Args, Opts]).

%% @doc erlang:port_control/3. When it raises badarg: if the driver said why, raises
%% error({badarg, Reason}); if control panicked and the caller owns the port (the panic
%% message goes to the owner), raises error({erldrv_panic, Message}); otherwise raises
%% badarg. Messages of earlier failures of the port are taken out of the mailbox too.
-spec control(port() | atom(), non_neg_integer(), iodata()) -> string() | binary().
control(Port, Command, Data) ->
    try
        erlang:port_control(Port, Command, Data)
    catch
        error:badarg:Stack ->
            raise_reason(Port, true, Stack, [Port, Command, Data])
    end.

%% @doc erlang:port_call/3 for a driver whose call takes typed arguments. Returns the reply.
%% Raises error({badarg, Message}) when the driver refuses the arguments (they do not
%% decode as its argument type, or it returns a CallError: the reply is
%% {erldrv_badarg, Message}), and error({erldrv_panic, Message}) when its call panicked
%% (the reply is {erldrv_panic, Message}, or, when port_call/3 raises badarg, the port
%% sent that message to its owner, the caller). Otherwise a badarg from port_call/3 is
%% raised as it is. The call's arguments are in the stack trace. A command's result that
%% holds a pid or a port comes as a message (the reply is {erldrv_reply, message}): this
%% takes it and returns it (sent_reply/3).
-spec call(port() | atom(), non_neg_integer(), term()) -> term().
call(Port, Command, Args) ->
    try erlang:port_call(Port, Command, Args) of
        {erldrv_badarg, _} = Failure -> command_failed(Port, Command, Args, Failure);
        {erldrv_panic, _} = Failure -> command_failed(Port, Command, Args, Failure);
        {erldrv_reply, message} -> sent_reply(Port, Command, Args);
        Reply -> Reply
    catch
        error:badarg:Stack -> command_failed(Port, Command, Args, {raised, Stack})
    end.

%% @doc Raises what call/3 and command/3 raise for a port_call that failed: Failure is the
%% driver's reply {erldrv_badarg, Message} or {erldrv_panic, Message}, or {raised, Stack}
%% for the badarg port_call/3 raised. Generated clients call port_call/3 themselves and
%% come here (or to sent_reply/3) only when the reply is not the command's value.
-spec command_failed(port() | atom(), non_neg_integer(), term(),
                     {erldrv_badarg, term()} | {erldrv_panic, term()}
                     | {raised, list()}) -> no_return().
command_failed(Port, Command, Args, {erldrv_badarg, Message}) ->
    erlang:error({badarg, Message}, [Port, Command, Args]);
command_failed(Port, Command, Args, {erldrv_panic, Message}) ->
    %% A caller that owns the port has the owner's copy of the panic too: drop it, the
    %% exception says it all.
    _ = latest_reason(port_id(Port), false, none),
    erlang:error({erldrv_panic, Message}, [Port, Command, Args]);
command_failed(Port, Command, Args, {raised, Stack}) ->
    raise_reason(Port, false, Stack, [Port, Command, Args]).

%% @doc Calls sync command Id (a #[command] method; see commands/1 for the numbers) with its
%% arguments as a tuple, one element per argument, also for one argument ({Arg}) and for
%% none ({}). Returns the command's result: for a method returning `Result<T, E>',
%% {ok, T} or {error, E} (ok for Ok(())); ok for a method returning nothing; otherwise the
%% value itself. Raises as call/3 does: error({badarg, Message}) when an argument does not
%% decode (Message names the command and the argument) or the number is no sync command
%% of the driver, error({erldrv_panic, Message}) when the command panicked (the port is
%% closed then). A result holding a pid or a port the driver handed out (Rust's Pid,
%% PortId) cannot travel in port_call's reply: the driver sends it to the caller as the
%% message {erldrv_reply, Port, Value}, replies {erldrv_reply, message}, and this takes the
%% message (already queued when port_call returns) and returns Value.
-spec command(port() | atom(), non_neg_integer(), tuple()) -> term().
command(Port, Id, Args) when is_tuple(Args) ->
    call(Port, Id, Args);
command(Port, Id, Args) ->
    erlang:error(badarg, [Port, Id, Args]).

%% @doc The result of sync command Id that the driver sent as a message (its port_call/3 replied
%% {erldrv_reply, message}: the result holds a pid or a port): it was queued before
%% port_call/3 returned, so it is there. Generated clients call it for that reply.
-spec sent_reply(port() | atom(), non_neg_integer(), term()) -> term().
sent_reply(Port0, Id, Args) ->
    Port = port_id(Port0),
    receive
        {erldrv_reply, Port, Value} -> Value
    after 0 ->
        erlang:error({erldrv_lost_reply, Port}, [Port0, Id, Args])
    end.

%% @doc Calls async command Id (a #[command(async)] method) with its arguments as a tuple, as
%% command/3 does, and waits at most Timeout milliseconds for its reply, which goes to the
%% calling process alone (the command runs on the driver's worker pool; other callers of the
%% port do not wait for it). The arguments travel as term_to_binary(Args) in a request
%% (request/4). Returns {ok, Value}: for a method returning `Result<T, E>', {ok, T} or
%% {error, E}; for a method returning a plain T, {ok, T}; ok stands for () (so a method
%% returning nothing, or Ok(()), gives {ok, ok}). The framework's own errors are those of
%% request/4: {error, {badarg, Message}} (an argument did not decode, or Id is no async
%% command of the driver), {error, busy}, {error, {erldrv_panic, Message}} (the command
%% panicked; the port stays open), {error, closed}, {error, timeout}.
-spec command_async(port() | atom(), non_neg_integer(), tuple(), timeout()) -> request_result().
command_async(Port, Id, Args, Timeout) when is_tuple(Args) ->
    request(Port, Id, term_to_binary(Args), Timeout);
command_async(Port, Id, Args, Timeout) ->
    erlang:error(badarg, [Port, Id, Args, Timeout]).

%% @doc The driver's commands (its #[command] methods), in the order its impl block declares
%% them: what generated clients and tests look the numbers up in. [] for a driver with
%% none that has a control callback; raises badarg for a driver without control.
-spec commands(port() | atom()) -> [command_info()].
commands(Port) ->
    binary_to_term(iolist_to_binary(control(Port, ?COMMANDS, []))).

%% @doc The driver's interface, for client generators and interface checks: a map with the
%% fingerprint of its commands (fingerprint), its commands (commands: name, id, kind,
%% args as [#{name, type}], reply, doc, and each command's own fingerprint, types being
%% descriptions as erldrv::term::TypeDesc writes them), and the named types they use
%% (types). Raises error({badarg, Message}) when the driver cannot describe them (two Rust
%% types of one type name), and badarg for a driver without control.
-spec interface(port() | atom()) -> #{fingerprint := non_neg_integer(),
                                       commands := [map()], types := [tuple()]}.
interface(Port) ->
    case binary_to_term(iolist_to_binary(control(Port, ?INTERFACE, []))) of
        {ok, Interface} -> Interface;
        {error, Message} -> erlang:error({badarg, Message}, [Port])
    end.

%% @doc Checks that the driver behind Port has the commands a generated client was made for:
%% Fingerprint is the fingerprint of the client's, Commands each command's name and own
%% fingerprint. Returns ok, or {error, {interface_mismatch, Details}} (interface_mismatch()).
-spec check_interface(port(), non_neg_integer(), [{atom(), non_neg_integer()}]) ->
          ok | {error, {interface_mismatch, interface_mismatch()}}.
check_interface(Port, Fingerprint, Commands) ->
    try interface(Port) of
        #{fingerprint := Fingerprint} ->
            ok;
        #{fingerprint := Found, commands := Theirs0} ->
            Theirs = [{N, F} || #{name := N, fingerprint := F} <- Theirs0],
            Changed = [N || {N, F} <- Commands,
                            case lists:keyfind(N, 1, Theirs) of
                                {N, F} -> false;
                                false -> false;
                                _ -> true
                            end],
            {error, {interface_mismatch,
                     #{added => [N || {N, _} <- Theirs, not lists:keymember(N, 1, Commands)],
                       removed => [N || {N, _} <- Commands, not lists:keymember(N, 1, Theirs)],
                       changed => Changed,
                       expected => Fingerprint,
                       found => Found}}}
    catch
        error:badarg -> {error, {interface_mismatch, no_interface}};
        error:{badarg, _} -> {error, {interface_mismatch, no_interface}}
    end.

%% @doc The source of a client module for the driver's commands, rendered by the driver:
%% Language erlang or elixir, Module the module's name (an atom, or an alias such as
%% 'Elixir.MyApp.Kv' or `<<"MyApp.Kv">>' for Elixir), Opts `#{app := App}' (the application
%% whose priv directory holds the driver) and optionally driver => Name (by default the
%% driver of Port). Returns {ok, Source} or {error, Message}.
-spec client_source(port(), erlang | elixir, atom() | binary(),
                    #{app := atom(), driver => name()}) -> {ok, binary()} | {error, binary()}.
client_source(Port, Language, Module, #{app := App} = Opts)
  when Language =:= erlang; Language =:= elixir ->
    Driver = case Opts of
                 #{driver := D} -> D;
                 #{} -> {name, Command} = erlang:port_info(Port, name),
                        hd(string:lexemes(Command, " "))
             end,
    ModuleName = case {Language, Module} of
                     {elixir, _} when is_atom(Module) ->
                         case atom_to_binary(Module, utf8) of
                             <<"Elixir.", Alias/binary>> -> Alias;
                             Alias -> Alias
                         end;
                     {_, _} when is_atom(Module) -> atom_to_binary(Module, utf8);
                     {_, _} -> iolist_to_binary(Module)
                 end,
    Request = {Language, ModuleName, atom_to_binary(App, utf8),
               unicode:characters_to_binary(to_string(Driver))},
    binary_to_term(iolist_to_binary(control(Port, ?CLIENT, term_to_binary(Request))));
client_source(Port, Language, Module, Opts) ->
    erlang:error(badarg, [Port, Language, Module, Opts]).

%% @doc What a generated client's open/1 calls: opens a port of driver Driver with
%% `open_port' options Opts and checks its interface (check_interface/3). The driver is
%% loaded from the priv directory of App (load_priv/2, for the calling process, until
%% close_client/2 or its exit), unless a process of application App holds a load of it
%% that is not a port's: an application that loads its driver in its start/2 keeps it for
%% its lifetime (start/2 and stop/1 run in one process of the application), and opening a
%% port then loads nothing; such ports close when the application stops and unloads the
%% driver. Loads taken here for other ports never count, so closing one port never closes
%% another. On a
%% mismatch the port is closed and the load taken here, if any, dropped.
-spec open_client(atom(), name(), list(), non_neg_integer(), [{atom(), non_neg_integer()}]) ->
          {ok, port()} | {error, {interface_mismatch, interface_mismatch()}}.
open_client(App, Driver, Opts, Fingerprint, Commands) ->
    Took = not held_by_application(App, to_string(Driver)),
    _ = Took andalso load_priv(App, Driver),
    Port = try open(Driver, Opts)
           catch Class:Reason:Stack ->
                   _ = Took andalso unload(Driver),
                   erlang:raise(Class, Reason, Stack)
           end,
    _ = Took andalso put({?MODULE, client_load, Port}, Driver),
    case check_interface(Port, Fingerprint, Commands) of
        ok ->
            {ok, Port};
        {error, _} = Error ->
            close_client(Port, Driver),
            Error
    end.

%% Whether a process of application App has driver Name loaded with a load of its own
%% (application:get_application/1 knows a process's application by its group leader).
%% Loads open_client/5 took for ports do not count: they go with their ports, so a port
%% relying on one would close when another process closes its port.
held_by_application(App, Name) ->
    case driver_info(Name, processes) of
        {ok, Holders} when is_list(Holders) ->
            lists:any(fun({Pid, Count}) ->
                              application:get_application(Pid) =:= {ok, App}
                                  andalso Count > client_loads(Pid, Name)
                      end, Holders);
        _ ->
            false
    end.

%% The loads of driver Name that open_client/5 took in process Pid (each is noted in Pid's
%% dictionary, under its port).
client_loads(Pid, Name) ->
    case erlang:process_info(Pid, dictionary) of
        {dictionary, Dict} ->
            length([Port || {{?MODULE, client_load, Port}, Driver} <- Dict,
                            to_string(Driver) =:= Name]);
        undefined ->
            0
    end.

%% @doc What a generated client's close/1 calls: closes Port (if still open) and, when
%% open_client/5 took a driver load for it in the calling process, drops that load.
-spec close_client(port(), name()) -> ok.
close_client(Port, Driver) ->
    try erlang:port_close(Port) catch error:badarg -> ok end,
    case erase({?MODULE, client_load, Port}) of
        undefined -> ok;
        _ -> _ = unload(Driver), ok
    end.

%% @doc request(Port, Command, Data, 5000).
-spec request(port() | atom(), non_neg_integer(), iodata()) -> request_result().
request(Port, Command, Data) ->
    request(Port, Command, Data, ?REQUEST_TIMEOUT).

%% @doc Sends a request to the driver's control with Command and Data, and waits for its reply,
%% which goes to the calling process alone: many processes can have requests in flight on
%% one port at once, and none waits for another's (the driver answers each from its worker
%% pool as its job ends). Returns {ok, Value} or {error, Reason}: the reasons the driver
%% gives, or busy (its queue is full), {erldrv_panic, Message} (the job panicked),
%% {badarg, Reason} (control refused the request), closed (the port closed first), or
%% timeout (no reply within Timeout milliseconds; the request is then cancelled and a late
%% reply never reaches the mailbox).
-spec request(port() | atom(), non_neg_integer(), iodata(), timeout()) -> request_result().
request(Port, Command, Data, Timeout) ->
    await(send_request(Port, Command, Data), Timeout).

%% @doc Sends a request as request/4 does and returns at once; the reply is a message that
%% await/2 waits for, or check/2 recognises in a receive loop (a gen_server's handle_info).
%% The caller monitors the port meanwhile (the request id holds the monitor).
-spec send_request(port() | atom(), non_neg_integer(), iodata()) -> request_id().
send_request(Port0, Command, Data)
  when is_integer(Command), Command >= 0, Command < 16#FFFFFF00 ->
    _ = iolist_size(Data),
    Port = port_id(Port0),
    Ref = erlang:monitor(port, Port),
    Tag = term_to_binary(Ref),
    %% A badarg here means the port has closed (the monitor reports it) or control
    %% panicked (the reply says so): either way await/2 gets an answer.
    try erlang:port_control(Port, ?REQUEST, [<<Command:32, (byte_size(Tag)):8>>, Tag | Data])
    catch error:badarg -> ok
    end,
    {erldrv_request, Port, Ref};
send_request(Port, Command, Data) ->
    erlang:error(badarg, [Port, Command, Data]).

%% @doc command_request(Port, Data, Timeout) waits for the reply of send_command_request/2, as
%% request/4 does.
-spec command_request(port() | atom(), iodata(), timeout()) -> request_result().
command_request(Port, Data, Timeout) ->
    await(send_command_request(Port, Data), Timeout).

%% @doc Sends a request with port_command/2, for drivers that take requests in outputv: Data
%% reaches the driver without a copy (binaries by reference), however large, and the reply
%% comes back to the caller as for send_request/3.
-spec send_command_request(port() | atom(), iodata()) -> request_id().
send_command_request(Port0, Data) ->
    _ = iolist_size(Data),
    Port = port_id(Port0),
    Ref = erlang:monitor(port, Port),
    Tag = term_to_binary(Ref),
    try erlang:port_command(Port, [<<(byte_size(Tag)):8>>, Tag | Data])
    catch error:badarg -> ok
    end,
    {erldrv_request, Port, Ref}.

%% @doc Waits for the reply of a request, for at most Timeout milliseconds. On timeout the
%% request is cancelled (cancel/1) and {error, timeout} returned.
-spec await(request_id(), timeout()) -> request_result().
await({erldrv_request, _Port, Ref} = Id, Timeout) ->
    receive
        {Ref, Reply} ->
            erlang:demonitor(Ref, [flush]),
            Reply;
        {'DOWN', Ref, port, _, _} ->
            flush_reply(Ref),
            {error, closed}
    after Timeout ->
            cancel(Id),
            {error, timeout}
    end.

%% @doc Whether Msg is the reply to the request: {reply, {ok, Value} | {error, Reason}}, or
%% no_reply for any other message.
-spec check(term(), request_id()) -> {reply, request_result()} | no_reply.
check({Ref, Reply}, {erldrv_request, _, Ref}) ->
    erlang:demonitor(Ref, [flush]),
    {reply, Reply};
check({'DOWN', Ref, port, _, _}, {erldrv_request, _, Ref}) ->
    flush_reply(Ref),
    {reply, {error, closed}};
check(_, _) ->
    no_reply.

%% @doc Gives up on a request: the driver drops it if it has not answered yet (a job that has
%% not started never starts; a running one sees its Cancel), and a reply already on its
%% way is taken out of the mailbox. Afterwards no message of the request is left for the
%% caller.
-spec cancel(request_id()) -> ok.
cancel({erldrv_request, Port, Ref}) ->
    Tag = term_to_binary(Ref),
    Cancelled =
        try erlang:port_control(Port, ?CANCEL, [byte_size(Tag), Tag]) of
            Answer -> iolist_to_binary(Answer) =:= <<1>>
        catch error:badarg -> false
        end,
    case Cancelled of
        true -> ok;
        false ->
            %% Answered, or being answered, or the port is gone.
            receive
                {Ref, _} -> ok;
                {'DOWN', Ref, port, _, _} -> flush_reply(Ref)
            after ?CANCEL_WAIT -> ok
            end
    end,
    erlang:demonitor(Ref, [flush]),
    ok.

flush_reply(Ref) ->
    receive {Ref, _} -> ok after 0 -> ok end.

%% open_port/2 for open/2,3. The port that failed to open is not known here, so the
%% driver's message is looked for among the messages that arrived during the call, from
%% a port that is not alive: an older message (say, the panic of an earlier port the
%% caller has not read yet) is left alone.
spawn_driver(Command, Opts, CallArgs) ->
    Before = mailbox_length(),
    try
        open_port({spawn_driver, Command}, Opts)
    catch
        error:Error:Stack ->
            case start_failure(Before) of
                {erldrv_start_error, Reason} -> erlang:error({Error, Reason}, CallArgs);
                {erldrv_panic, Message} -> erlang:error({erldrv_panic, Message}, CallArgs);
                none -> erlang:raise(error, Error, Stack)
            end
    end.

start_failure(Before) ->
    fetch_messages(),
    {messages, Messages} = process_info(self(), messages),
    New = lists:nthtail(min(Before, length(Messages)), Messages),
    case [M || {P, {Tag, _}} = M <- New, is_port(P),
               Tag =:= erldrv_start_error orelse Tag =:= erldrv_panic,
               erlang:port_info(P) =:= undefined] of
        [{P, {Tag, Why}} | _] ->
            %% P is the port that failed: the pattern can only match this message.
            receive {P, {Tag, Why}} -> {Tag, Why} after 0 -> none end;
        [] ->
            none
    end.

mailbox_length() ->
    fetch_messages(),
    {message_queue_len, Length} = process_info(self(), message_queue_len),
    Length.

%% Moves the messages still on their way into the mailbox, where process_info/2 sees
%% them: a message a port sent during open_port/2 may not be there yet otherwise (OTP
%% 25). Any receive does that; this one waits for a new reference, so the compiler lets
%% it skip the messages already in the mailbox, and it costs the same for any length.
fetch_messages() ->
    Ref = make_ref(),
    receive Ref -> ok after 0 -> ok end.

%% Raises the reason the newest of Port's reason messages gives, or badarg. Badarg says
%% whether {Port, {erldrv_badarg, _}} messages count (control) or not (call, whose
%% refusals come as replies).
raise_reason(Port, Badarg, Stack, CallArgs) ->
    case latest_reason(port_id(Port), Badarg, none) of
        {erldrv_badarg, Reason} -> erlang:error({badarg, Reason}, CallArgs);
        {erldrv_panic, Message} -> erlang:error({erldrv_panic, Message}, CallArgs);
        none -> erlang:raise(error, badarg, Stack)
    end.

%% Each message belongs to a request that had failed by the time it is read, so only the
%% newest is this request's; older ones are dropped with it.
latest_reason(Port, Badarg, Found) ->
    receive
        {Port, {erldrv_panic, Message}} when is_port(Port) ->
            latest_reason(Port, Badarg, {erldrv_panic, Message});
        {Port, {erldrv_badarg, Reason}} when is_port(Port), Badarg ->
            latest_reason(Port, Badarg, {erldrv_badarg, Reason})
    after 0 ->
        Found
    end.

port_id(Port) when is_atom(Port) -> whereis(Port);
port_id(Port) -> Port.

%% erl_ddll:load/2 through try_load/3, which tells an inconsistent load (the driver is
%% loaded from another file, or with other options) apart from a driver name mismatch;
%% erl_ddll:load/2 reports both as bad_driver_name.
try_load(Dir, Name, Options) ->
    case erl_ddll:try_load(Dir, Name, [{monitor, pending_driver} | Options]) of
        {ok, loaded} -> ok;
        {ok, already_loaded} -> ok;
        {ok, pending_driver, Ref} ->
            %% Someone's reload of the driver is pending: this load completes with it.
            receive
                {'UP', Ref, driver, _, loaded} -> ok;
                {'UP', Ref, driver, _, permanent} -> {error, permanent};
                {'DOWN', Ref, driver, _, load_cancelled} -> {error, load_cancelled};
                {'DOWN', Ref, driver, _, {load_failure, Failure}} -> {error, Failure}
            end;
        {error, Reason} ->
            {error, Reason}
    end.

%% erl_ddll:info/2, or not_loaded.
driver_info(Name, Item) ->
    try
        {ok, erl_ddll:info(Name, Item)}
    catch
        error:badarg -> not_loaded
    end.

init_error_var(Name) -> "ERLDRV_INIT_ERROR_" ++ Name.

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
        inconsistent ->
            case driver_info(Name, driver_options) of
                {ok, [kill_ports]} ->
                    format("driver ~ts is already loaded with erl_ddll:load_driver/2, "
                           "which gives it the kill_ports option; erldrv:load/2 loads "
                           "like erl_ddll:load/2, without it, and the VM does not load "
                           "one driver both ways. Load it one way everywhere, or unload "
                           "it first, before loading ~ts", [Name, File]);
                _ ->
                    format("a driver named ~ts is already loaded, from another file: the "
                           "VM holds one driver per name. Unload it (erldrv:unload/1; it "
                           "goes once its ports are closed) before loading ~ts",
                           [Name, File])
            end;
        bad_driver_name ->
            format("driver name mismatch: ~ts holds a driver that is not named "
                   "~tp. The driver name (#[erl_driver(name = \"...\")], by default "
                   "the crate name) must be the file name without .so",
                   [File, Name]);
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
        driver_init_failed ->
            Var = init_error_var(Name),
            case os:getenv(Var) of
                false ->
                    format("~ts: the driver's init failed (it returned an error or "
                           "panicked; the VM's standard error says which)", [File]);
                Why ->
                    os:unsetenv(Var),
                    format("~ts: the driver's init failed: ~ts", [File, Why])
            end;
        _ ->
            format("~ts: ~ts", [File, erl_ddll:format_error(Reason)])
    end.

%% Why erl_ddll refused a reload.
explain_reload(Reason, Name) ->
    case Reason of
        not_loaded ->
            format("driver ~ts is not loaded, so there is nothing to replace: load it "
                   "with erldrv:load/2", [Name]);
        pending_process ->
            Pids = case driver_info(Name, processes) of
                       {ok, Procs} when is_list(Procs) -> [Pid || {Pid, _} <- Procs];
                       _ -> []
                   end,
            format("driver ~ts is loaded by other processes too (~tp loaded it): the VM "
                   "replaces a driver only for the one process that loaded it. Reload "
                   "it from that process, once the others have unloaded it", [Name, Pids]);
        not_loaded_by_this_process ->
            format("driver ~ts was not loaded by this process: the VM replaces a driver "
                   "only for the process that loaded it", [Name]);
        pending_reload ->
            format("a reload of driver ~ts is already pending", [Name]);
        permanent ->
            format("driver ~ts cannot be replaced: it is permanent (it made itself so "
                   "with driver_lock_driver) or linked into the VM", [Name]);
        linked_in_driver ->
            format("driver ~ts is linked into the VM and cannot be replaced", [Name]);
        _ ->
            format("driver ~ts: ~ts", [Name, erl_ddll:format_error(Reason)])
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

plural(1) -> "";
plural(_) -> "s".

to_string(Name) when is_atom(Name) -> atom_to_list(Name);
to_string(Name) -> unicode:characters_to_list(Name).

format(Format, Args) ->
    lists:flatten(io_lib:format(Format, Args)).
