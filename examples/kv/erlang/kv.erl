%% Client of kv_drv: a key-value store inside the driver. Each process opens its own port;
%% calls go straight to the driver, in parallel.
-module(kv).
-export([load/1, open/0, close/1, get/2, put/3, delete/2, keys/1, count/1,
         subscribe/1, unsubscribe/1, subscribers/1]).

-define(DRV, "kv_drv").

%% Loads the driver from Dir (the directory holding kv_drv.so).
-spec load(file:filename()) -> ok.
load(Dir) -> erldrv:load(Dir, ?DRV).

-spec open() -> port().
open() -> open_port({spawn_driver, ?DRV}, [binary]).

-spec close(port()) -> true.
close(Port) -> port_close(Port).

-spec get(port(), binary()) -> {ok, binary()} | {error, not_found}.
get(Port, Key) -> erldrv:call(Port, 0, {get, Key}).

-spec put(port(), binary(), binary()) -> ok.
put(Port, Key, Value) -> erldrv:call(Port, 0, {put, Key, Value}).

-spec delete(port(), binary()) -> ok.
delete(Port, Key) -> erldrv:call(Port, 0, {delete, Key}).

-spec keys(port()) -> [binary()].
keys(Port) -> erldrv:call(Port, 0, keys).

-spec count(port()) -> non_neg_integer().
count(Port) -> erldrv:call(Port, 0, count).

%% The calling process receives {kv, Key, {put, Value}} and {kv, Key, deleted} for every
%% change made through any port, until it unsubscribes, exits, or Port closes.
-spec subscribe(port()) -> ok.
subscribe(Port) -> erldrv:call(Port, 0, subscribe).

-spec unsubscribe(port()) -> ok.
unsubscribe(Port) -> erldrv:call(Port, 0, unsubscribe).

-spec subscribers(port()) -> non_neg_integer().
subscribers(Port) -> erldrv:call(Port, 0, subscribers).
