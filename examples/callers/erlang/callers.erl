%% Client of callers_drv: many processes share one port, and each call waits for its own
%% reply only. No server process stands between the callers and the driver: a call is a
%% request made from the calling process (erldrv:request/4), whose job runs on the driver's
%% worker pool and whose result the worker sends to that process.
%%
%%     ok = callers:load(Dir),
%%     Port = callers:start(),
%%     %% from any number of processes at once:
%%     {ok, Result} = callers:work(Port, 10000),
%%     ok = callers:stop(Port).
%%
%% callers_server is the same work behind one gen_server, for comparison.
-module(callers).
-export([load/1, start/0, stop/1, work/2, work/3]).
-export_type([rounds/0]).

-define(DRV, "callers_drv").
%% The driver's one command (WORK in src/lib.rs).
-define(WORK, 1).
%% As gen_server:call/2's.
-define(TIMEOUT, 5000).

%% How much work a job is: the number of rounds of the driver's 64-bit mix, about 4 ns
%% each in a release build. 2^64 - 1 makes the job panic (the driver's stand-in for a bug).
-type rounds() :: 0..16#FFFFFFFFFFFFFFFF.

%% Loads the driver from Dir (the directory holding callers_drv.so).
-spec load(file:filename()) -> ok.
load(Dir) -> erldrv:load(Dir, ?DRV).

%% Opens the port all callers share. The calling process owns it: the port closes when
%% that process exits, or with stop/1.
-spec start() -> port().
start() -> erldrv:open(?DRV, [binary]).

-spec stop(port()) -> ok.
stop(Port) ->
    true = port_close(Port),
    ok.

%% work(Port, N, 5000).
-spec work(port(), rounds()) -> {ok, non_neg_integer()} | {error, term()}.
work(Port, N) -> work(Port, N, ?TIMEOUT).

%% Runs the job for N rounds on the driver's worker pool and returns its result, from
%% any process. Errors: {erldrv_panic, Message} when the job panicked (this caller
%% alone sees it), busy when the pool's queue is full, closed when the port closed
%% first, timeout after Timeout ms (the job is then cancelled: it stops at its next
%% check, and its result never arrives).
-spec work(port(), rounds(), timeout()) -> {ok, non_neg_integer()} | {error, term()}.
work(Port, N, Timeout) when is_integer(N), N >= 0, N =< 16#FFFFFFFFFFFFFFFF ->
    erldrv:request(Port, ?WORK, <<N:64>>, Timeout).
