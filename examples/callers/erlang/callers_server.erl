%% The pattern this example answers, for comparison: one gen_server owns the port and
%% serves every call itself, calling the driver synchronously (a plain port_control, whose
%% job runs in the driver's control on the scheduler). Calls from any number of processes
%% queue in the server's mailbox and run one at a time, however many cores there are.
%%
%% (A server that must stay can avoid this: send each job with erldrv:send_request/3,
%% return {noreply, State} from handle_call, and answer with gen_server:reply/2 when
%% erldrv:check/2 recognises the reply in handle_info. callers:work/2 needs no server.)
-module(callers_server).
-behaviour(gen_server).
-export([start_link/0, stop/1, work/2]).
-export([init/1, handle_call/3, handle_cast/2]).

-define(DRV, "callers_drv").
-define(WORK, 1).

%% Starts the server, which opens the port (the driver must be loaded: callers:load/1).
-spec start_link() -> {ok, pid()}.
start_link() -> gen_server:start_link(?MODULE, [], []).

-spec stop(pid()) -> ok.
stop(Server) -> gen_server:stop(Server).

%% The same job and result as callers:work/2, run by the server on its scheduler. More
%% than 2^24 rounds are refused: {error, {badarg, Reason}}.
-spec work(pid(), callers:rounds()) -> {ok, non_neg_integer()} | {error, {badarg, binary()}}.
work(Server, N) when is_integer(N), N >= 0, N =< 16#FFFFFFFFFFFFFFFF ->
    gen_server:call(Server, {work, N}).

init([]) ->
    {ok, erldrv:open(?DRV, [binary])}.

handle_call({work, N}, _From, Port) ->
    Reply = try erldrv:control(Port, ?WORK, <<N:64>>) of
                <<Result:64>> -> {ok, Result}
            catch
                error:{badarg, Reason} -> {error, {badarg, Reason}}
            end,
    {reply, Reply, Port}.

handle_cast(_, Port) ->
    {noreply, Port}.
