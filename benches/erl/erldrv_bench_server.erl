%% A context row of `cargo xtask bench`: the pattern people write around a C driver that
%% replies by message, one gen_server owning one port. Each gen_server:call runs the port
%% command and waits in the server for the port's {Port, Reply}, so however many callers
%% there are, the server handles one request at a time, and the port's async thread sees one
%% job at a time.
-module(erldrv_bench_server).
-behaviour(gen_server).
-export([start_link/2, call/4, stop/1]).
-export([init/1, handle_call/3, handle_cast/2]).

%% Starts a server that opens a port of Driver (already loaded) and waits at most Timeout
%% milliseconds for each of its replies.
start_link(Driver, Timeout) ->
    gen_server:start_link(?MODULE, {Driver, Timeout}, []).

%% port_control(Port, Command, Data) in the server, and the data of the port's reply; the
%% caller waits at most Timeout milliseconds, as it would for the port's reply itself.
call(Server, Command, Data, Timeout) ->
    gen_server:call(Server, {Command, Data}, Timeout).

stop(Server) ->
    gen_server:stop(Server).

init({Driver, Timeout}) ->
    Port = open_port({spawn_driver, Driver}, [binary]),
    {ok, {Port, Timeout}}.

handle_call({Command, Data}, _From, {Port, Timeout} = State) ->
    _ = erlang:port_control(Port, Command, Data),
    receive
        {Port, Reply} -> {reply, Reply, State}
    after Timeout ->
        {stop, {no_reply, Port}, State}
    end.

handle_cast(_, State) ->
    {noreply, State}.
