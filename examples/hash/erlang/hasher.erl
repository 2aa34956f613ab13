%% Client of hash_drv: SHA-256 of iodata of any size, computed on the driver's worker
%% pool instead of a scheduler. Binaries reach the driver by reference (no copy), and any
%% number of processes can hash through one port at once, each waiting for its own reply.
-module(hasher).
-export([load/1, open/0, close/1, sha256/2, sha256/3, send_sha256/2, info/1]).

-define(DRV, "hash_drv").
%% hash_drv's request command for control.
-define(SHA256, 1).
%% Up to this size data goes through port_control and is hashed at once (hash_drv's
%% INLINE_MAX); larger data goes by port_command to a job, by reference.
-define(INLINE_MAX, 16384).
-define(TIMEOUT, 5000).

-type digest() :: <<_:256>>.
-export_type([digest/0]).

%% Loads the driver from Dir (the directory holding hash_drv.so).
-spec load(file:filename()) -> ok.
load(Dir) -> erldrv:load(Dir, ?DRV).

-spec open() -> port().
open() -> erldrv:open(?DRV, [binary]).

-spec close(port()) -> true.
close(Port) -> port_close(Port).

%% sha256(Port, Data, 5000).
-spec sha256(port(), iodata()) -> {ok, digest()} | {error, term()}.
sha256(Port, Data) -> sha256(Port, Data, ?TIMEOUT).

%% The SHA-256 of Data. {error, timeout} after Timeout milliseconds (the driver then drops
%% the work and no late reply arrives); {error, busy} when the driver's queue is full;
%% {error, closed} when the port closes first. Raises badarg when Data is not iodata.
-spec sha256(port(), iodata(), timeout()) -> {ok, digest()} | {error, term()}.
sha256(Port, Data, Timeout) ->
    erldrv:await(send(Port, Data, [Port, Data, Timeout]), Timeout).

%% Starts hashing Data and returns at once. The reply is a message: wait for it with
%% erldrv:await(Id, Timeout), or recognise it with erldrv:check(Msg, Id) in a receive
%% loop (a gen_server's handle_info/2), which gives {reply, {ok, Digest}}.
-spec send_sha256(port(), iodata()) -> erldrv:request_id().
send_sha256(Port, Data) -> send(Port, Data, [Port, Data]).

%% Jobs queued or running (over all ports), worker threads, and the input bytes hashed in
%% place or copied on their way in, since the driver was loaded.
-spec info(port()) -> #{jobs := non_neg_integer(), workers := non_neg_integer(),
                         bytes_by_reference := non_neg_integer(),
                         bytes_copied := non_neg_integer()}.
info(Port) -> erldrv:call(Port, 0, info).

send(Port, Data, Args) ->
    Size = try iolist_size(Data)
           catch error:badarg -> erlang:error(badarg, Args)
           end,
    case Size =< ?INLINE_MAX of
        true -> erldrv:send_request(Port, ?SHA256, Data);
        false -> erldrv:send_command_request(Port, Data)
    end.
