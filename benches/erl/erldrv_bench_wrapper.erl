%% The reference side of the typed command rows: the module an application writes today
%% around a hand-written driver, one exported function per command that calls
%% erlang:port_call/3 or erlang:port_control/3 with the command's number. The generated
%% client is such a module too, so the rows compare two function calls doing the same
%% work: what a typed command costs over the hand-written call it replaces.
-module(erldrv_bench_wrapper).

-export([add/4, echo/2]).

%% erldrv_typed_drv's call 1 (the call_typed row's work).
-define(CALL_ADD, 1).
%% erldrv_bench_drv's control echo (in binary mode: the control_echo_*_binary rows' work).
-define(CONTROL_ECHO, 0).

-spec add(port(), atom(), integer(), binary()) -> {ok, integer()}.
add(Port, Op, N, Binary) ->
    erlang:port_call(Port, ?CALL_ADD, {Op, N, Binary}).

-spec echo(port(), binary()) -> binary().
echo(Port, Data) ->
    erlang:port_control(Port, ?CONTROL_ECHO, Data).
