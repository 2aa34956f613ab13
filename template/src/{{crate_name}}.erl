%% @doc The API of the {{crate_name}} application, around the driver of
%% native/{{crate_name}}. Start the application (application:ensure_all_started/1, or
%% list it in your release): it loads the driver and starts the process that owns its
%% port, and these functions then work from any process, without managing ports:
%%
%% ```
%% {ok, _} = application:ensure_all_started({{crate_name}}),
%% {ok, 5} = {{crate_name}}:add(5),
%% 8 = {{crate_name}}:add_bytes(<<"abc">>),
%% 8 = {{crate_name}}:reset(),
%% {ok, 16#E71FA2190541574B} = {{crate_name}}:hash(<<"abc">>).
%% '''
%%
%% The driver's commands, the Rust methods marked #[command], are called through the
%% generated client {{crate_name}}_native (src/{{crate_name}}_native.erl, written by the
%% build, never by hand), which also opens ports of your own:
%%
%% ```
%% {ok, Port} = {{crate_name}}_native:open(),
%% {ok, 5} = {{crate_name}}_native:add(Port, 5),
%% 8 = {{crate_name}}:add_bytes(Port, <<"abc">>),
%% ok = {{crate_name}}_native:close(Port).
%% '''
%%
%% What commands do not cover lives here: add_bytes/2 streams data with port_command and
%% waits for the message the driver sends the port owner.
-module({{crate_name}}).
-export([port/0, add/1, total/0, reset/0, hash/1, add_bytes/1, add_bytes/2]).

%% How long add_bytes/2 waits for the driver's answer.
-define(TIMEOUT, 5000).

%% @doc The port of the application, owned by {{crate_name}}_server.
-spec port() -> port().
port() ->
    {{crate_name}}_server:port().

%% @doc Adds N to the application port's total: {ok, NewTotal}, or {error, Why} when the
%% total would not fit 64 bits.
-spec add(integer()) -> {ok, integer()} | {error, binary()}.
add(N) ->
    {{crate_name}}_native:add(port(), N).

%% @doc The application port's total.
-spec total() -> integer().
total() ->
    {{crate_name}}_native:total(port()).

%% @doc Sets the application port's total back to 0 and returns what it was.
-spec reset() -> integer().
reset() ->
    {{crate_name}}_native:reset(port()).

%% @doc The 64-bit FNV-1a hash of Data, computed on the driver's worker pool.
-spec hash(binary() | [byte()]) -> {ok, non_neg_integer()} | {error, term()}.
hash(Data) ->
    {{crate_name}}_native:hash(port(), Data).

%% @doc Adds the size of Data in bytes to the application port's total and returns the
%% new total; the port's owner, {{crate_name}}_server, receives the answer. Raises
%% error({badarg, overflow}) when the total would not fit 64 bits.
-spec add_bytes(iodata()) -> integer().
add_bytes(Data) ->
    {{crate_name}}_server:add_bytes(Data).

%% @doc Sends Data through Port, which adds its size in bytes to the total, and returns
%% the new total. The caller must own the port, since the answer goes to the owner.
%% Raises error({badarg, overflow}) when the total would not fit 64 bits.
-spec add_bytes(port(), iodata()) -> integer().
add_bytes(Port, Data) ->
    true = port_command(Port, Data),
    receive
        {Port, {total, Total}} -> Total;
        {Port, {error, overflow}} -> error({badarg, overflow}, [Port, Data])
    after ?TIMEOUT ->
        error({no_answer_from, Port})
    end.
