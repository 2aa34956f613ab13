%% The client of the {{crate_name}} driver (native/{{crate_name}}): each port holds a counter.
%%
%%     Port = {{crate_name}}:open(),
%%     5 = {{crate_name}}:add(Port, 5),
%%     8 = {{crate_name}}:add_bytes(Port, <<"abc">>),
%%     8 = {{crate_name}}:reset(Port),
%%     0 = {{crate_name}}:total(Port),
%%     {ok, 16#E71FA2190541574B} = {{crate_name}}:hash(Port, <<"abc">>),
%%     ok = {{crate_name}}:close(Port).
%%
%% The driver is priv/{{crate_name}}.so, built and installed there by native/build.sh
%% before rebar3 compiles. erldrv (a dependency) loads it and makes its calls.
-module({{crate_name}}).
-export([load/0, open/0, close/1, add/2, total/1, reset/1, add_bytes/2, hash/2, hash/3]).

-define(APP, {{crate_name}}).
%% The driver's name, which is also the name of its file in priv/.
-define(DRIVER, "{{crate_name}}").
%% The command number of every port_call the driver understands.
-define(REQUEST, 0).
%% The command of the hash request (HASH in the driver).
-define(HASH, 1).
%% How long add_bytes/2 and hash/2 wait for the driver's answer.
-define(TIMEOUT, 5000).

%% Loads the driver from this application's priv directory; loading it again is harmless.
%% The VM keeps the driver while the calling process lives or one of its ports is open.
%% If the driver is missing or broken this raises
%% error({erldrv_load_failed, Name, Dir, Text}), where Text says what is wrong.
-spec load() -> ok.
load() ->
    erldrv:load_priv(?APP, ?DRIVER).

%% Opens a port of the driver, with its counter at 0, owned by the calling process.
%% erldrv:open/2 is open_port/2 that raises the driver's reason when it refuses to start.
-spec open() -> port().
open() ->
    ok = load(),
    erldrv:open(?DRIVER, [binary]).

-spec close(port()) -> ok.
close(Port) ->
    true = port_close(Port),
    ok.

%% Adds N and returns the new total. Raises error({badarg, Message}) if N is not an
%% integer or the total would not fit 64 bits.
-spec add(port(), integer()) -> integer().
add(Port, N) ->
    erldrv:call(Port, ?REQUEST, {add, N}).

-spec total(port()) -> integer().
total(Port) ->
    erldrv:call(Port, ?REQUEST, total).

%% Sets the total back to 0 and returns what it was.
-spec reset(port()) -> integer().
reset(Port) ->
    erldrv:call(Port, ?REQUEST, reset).

%% hash(Port, Data, 5000).
-spec hash(port(), iodata()) -> {ok, non_neg_integer()} | {error, term()}.
hash(Port, Data) ->
    hash(Port, Data, ?TIMEOUT).

%% The 64-bit FNV-1a hash of Data, computed on the driver's worker pool: {ok, Hash}. Any
%% process may call this, and many at once on one port: each waits for its own answer
%% only. {error, Reason} as erldrv:request/4 says ({error, timeout} after Timeout ms).
-spec hash(port(), iodata(), timeout()) -> {ok, non_neg_integer()} | {error, term()}.
hash(Port, Data, Timeout) ->
    erldrv:request(Port, ?HASH, Data, Timeout).

%% Sends Data through the port, which adds its size in bytes to the total, and returns
%% the new total. The caller must own the port, since the answer goes to the owner.
-spec add_bytes(port(), iodata()) -> integer().
add_bytes(Port, Data) ->
    true = port_command(Port, Data),
    receive
        {Port, {total, Total}} -> Total;
        {Port, {error, overflow}} -> error({badarg, overflow}, [Port, Data])
    after ?TIMEOUT ->
        error({no_answer_from, Port})
    end.
