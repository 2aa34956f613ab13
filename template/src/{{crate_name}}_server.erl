%% @doc The owner of the {{crate_name}} application's port, supervised by
%% {{crate_name}}_sup. It opens the port when it starts (through the generated client
%% {{crate_name}}_native), closes it when it stops, and stops when the port closes
%% unexpectedly, so that its supervisor restarts it with a new port.
%%
%% Commands need no owner: {{crate_name}}'s functions take the port from here (port/0)
%% and call the driver from the caller's own process, so callers never wait for one
%% another. What goes to the port owner, the answer to port_command data, goes through
%% this server (add_bytes/1).
-module({{crate_name}}_server).
-behaviour(gen_server).
-export([start_link/0, port/0, add_bytes/1]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2]).

-spec start_link() -> {ok, pid()} | ignore | {error, term()}.
start_link() ->
    gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).

%% @doc The application's port.
-spec port() -> port().
port() ->
    gen_server:call(?MODULE, port).

%% @doc Sends Data through the application's port and returns the new total, as
%% {{crate_name}}:add_bytes/2 does for a port the caller owns.
-spec add_bytes(iodata()) -> integer().
add_bytes(Data) ->
    case gen_server:call(?MODULE, {add_bytes, Data}) of
        {ok, Total} -> Total;
        {error, Reason} -> erlang:error(Reason, [Data])
    end.

-spec init([]) -> {ok, port()} | {stop, term()}.
init([]) ->
    %% terminate/2 runs at shutdown, and the port's exit arrives as a message.
    process_flag(trap_exit, true),
    case {{crate_name}}_native:open() of
        {ok, Port} -> {ok, Port};
        {error, Reason} -> {stop, Reason}
    end.

-spec handle_call(port | {add_bytes, iodata()}, gen_server:from(), port()) ->
          {reply, term(), port()}.
handle_call(port, _From, Port) ->
    {reply, Port, Port};
handle_call({add_bytes, Data}, _From, Port) ->
    Reply = try {ok, {{crate_name}}:add_bytes(Port, Data)}
            catch error:Reason -> {error, Reason}
            end,
    {reply, Reply, Port}.

-spec handle_cast(term(), port()) -> {noreply, port()}.
handle_cast(_Request, Port) ->
    {noreply, Port}.

-spec handle_info(term(), port()) -> {noreply, port()} | {stop, term(), port()}.
handle_info({'EXIT', Port, Reason}, Port) ->
    {stop, {port_closed, Reason}, Port};
handle_info(_Late, Port) ->
    %% An answer that came after add_bytes/2 gave up waiting.
    {noreply, Port}.

-spec terminate(term(), port()) -> ok.
terminate(_Reason, Port) ->
    {{crate_name}}_native:close(Port).
