%% Client of udp_drv: a UDP socket as a port. The process that opens it receives every
%% datagram as gen_udp's active-mode message, with the port in place of the socket:
%%
%%     {udp, Port, Ip, InPortNo, Packet}     Packet a binary
%%     {udp_error, Port, Reason}             a socket error reported on receive
%%
%% Closing the port (or the owner's exit) closes the socket.
-module(udp_port).
-export([load/1, open/0, open/1, open/2, close/1, send/4, sockname/1, port_number/1]).

-define(DRV, "udp_drv").

%% Loads the driver from Dir (the directory holding udp_drv.so).
-spec load(file:filename()) -> ok.
load(Dir) -> erldrv:load(Dir, ?DRV).

%% A socket on a free port of 127.0.0.1.
-spec open() -> {ok, port()} | {error, inet:posix()}.
open() -> open(0).

-spec open(inet:port_number()) -> {ok, port()} | {error, inet:posix()}.
open(PortNo) -> open({127, 0, 0, 1}, PortNo).

%% A socket bound to Ip:PortNo (PortNo 0 picks a free port). {error, eaddrinuse} and the
%% like when the OS refuses; raises badarg for an Ip or PortNo that is not one.
-spec open(inet:ip_address(), inet:port_number()) -> {ok, port()} | {error, inet:posix()}.
open(Ip, PortNo) when is_integer(PortNo), PortNo >= 0, PortNo =< 65535 ->
    Addr = case {inet:ntoa(Ip), Ip} of
               {{error, einval}, _} -> erlang:error(badarg, [Ip, PortNo]);
               {Text, {_, _, _, _}} -> Text;
               {Text, _} -> "[" ++ Text ++ "]"
           end,
    try erldrv:open(?DRV, Addr ++ ":" ++ integer_to_list(PortNo), [binary]) of
        Port -> {ok, Port}
    catch
        %% open_port/2 raises the POSIX error the bind failed with.
        error:Posix when is_atom(Posix), Posix =/= badarg -> {error, Posix}
    end;
open(Ip, PortNo) ->
    erlang:error(badarg, [Ip, PortNo]).

-spec close(port()) -> true.
close(Port) -> port_close(Port).

%% Sends Packet to Ip:PortNo. {error, emsgsize} for a packet over 65507 bytes, other
%% inet:posix() atoms as the OS reports them (the OS's text for rare ones).
-spec send(port(), inet:ip_address(), inet:port_number(), iodata()) ->
          ok | {error, inet:posix() | binary()}.
send(Port, Ip, PortNo, Packet) ->
    Bin = try iolist_to_binary(Packet)
          catch error:badarg -> erlang:error(badarg, [Port, Ip, PortNo, Packet])
          end,
    erldrv:call(Port, 0, {send, Ip, PortNo, Bin}).

%% The local address, as inet:sockname/1 gives it.
-spec sockname(port()) -> {ok, {inet:ip_address(), inet:port_number()}} | {error, term()}.
sockname(Port) -> erldrv:call(Port, 0, sockname).

%% The local port number.
-spec port_number(port()) -> inet:port_number().
port_number(Port) ->
    {ok, {_, PortNo}} = sockname(Port),
    PortNo.
