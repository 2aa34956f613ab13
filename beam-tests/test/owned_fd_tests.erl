%% Descriptors handed to the VM with select_owned, by a driver that forbids unsafe code:
%% they stay open exactly as long as the VM needs them, whether the driver turns selection
%% off or its port closes first, and the VM's own descriptors are left alone. Drives
%% beam-tests/drivers/owned_fd.
-module(owned_fd_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "owned_fd_drv").
-define(OPEN, 0).
-define(WRITE, 1).
-define(LET_GO, 2).
-define(DESELECT, 3).
-define(HELD, 4).
-define(SEEN_BY_STOP_SELECT, 5).
-define(PAIR, 6).
-define(PAIR_WRITE, 7).
-define(PING, 8).
-define(STEAL, 9).

%% In order, in one process: the last test unloads the driver this process loaded.
owned_fd_test_() ->
    {inorder,
     [fun() -> ok = erldrv_test:load(?DRV) end,
      fun owned_pipe_closes_only_after_stop_select/0,
      fun spurious_ready_input_is_harmless/0,
      fun another_ports_descriptor_is_refused/0,
      fun closing_port_releases_what_it_selects/0,
      fun vm_descriptors_are_left_alone/0]}.

write(P, Fd, Data) -> port_control(P, ?WRITE, [Fd, $:, Data]).

owned_pipe_closes_only_after_stop_select() ->
    P = erldrv_test:open(?DRV),
    Fd = port_control(P, ?OPEN, ""),
    ?assertEqual("5", write(P, Fd, "hello")),
    ?assertEqual(<<"in:hello">>, erldrv_test:recv_data(P)),
    %% The port drops its handle: the framework's keeps the pipe open and selected.
    "ok" = port_control(P, ?LET_GO, ""),
    ?assertEqual("held", port_control(P, ?HELD, Fd)),
    ?assertEqual("none", port_control(P, ?SEEN_BY_STOP_SELECT, Fd)),
    ?assertEqual("5", write(P, Fd, "again")),
    ?assertEqual(<<"in:again">>, erldrv_test:recv_data(P)),
    %% USE off: the VM calls stop_select, and only after it does the pipe close.
    ?assertEqual("ok", port_control(P, ?DESELECT, "")),
    erldrv_test:wait_until(fun() -> port_control(P, ?HELD, Fd) =:= "released" end, 3000),
    ?assertEqual("held", port_control(P, ?SEEN_BY_STOP_SELECT, Fd)),
    %% Closed for the OS too: the write end has no reader left.
    ?assertEqual("epipe", write(P, Fd, "late")),
    erldrv_test:no_message(P),
    port_close(P).

%% One poll result reports the socket readable and writable; ready_output reads everything,
%% so the ready_input the VM had already scheduled finds nothing. The driver takes that as
%% "wait for the next call", and the next data still arrives.
spurious_ready_input_is_harmless() ->
    P = erldrv_test:open(?DRV),
    "ok" = port_control(P, ?PAIR, ""),
    ?assertEqual(<<"drained:ping">>, erldrv_test:recv_data(P)),
    ?assertEqual(<<"spurious">>, erldrv_test:recv_data(P)),
    ?assertEqual("4", port_control(P, ?PAIR_WRITE, "pong")),
    ?assertEqual(<<"in:pong">>, erldrv_test:recv_data(P)),
    erldrv_test:no_message(P),
    port_close(P).

%% A port tries to select the pipe another port selected with select_owned (the driver shares
%% it through a static): both ways are refused as busy, instead of the VM moving it to the
%% second port ("stealing control": beam.rs checks it never says so); the first port still
%% gets its input.
another_ports_descriptor_is_refused() ->
    P = erldrv_test:open(?DRV),
    Fd = port_control(P, ?OPEN, ""),
    Q = erldrv_test:open(?DRV),
    ?assertEqual("ResourceBusy,ResourceBusy", port_control(Q, ?STEAL, Fd)),
    ?assertEqual("4", write(P, Fd, "mine")),
    ?assertEqual(<<"in:mine">>, erldrv_test:recv_data(P)),
    erldrv_test:no_message(Q),
    port_close(Q),
    port_close(P).

%% The VM neither deselects a closing port's descriptors nor calls stop_select for them:
%% the framework turns selection off after stop, so the VM calls stop_select, and the pipe
%% closes then (not at stop, not never).
closing_port_releases_what_it_selects() ->
    P = erldrv_test:open(?DRV),
    Fd = port_control(P, ?OPEN, ""),
    ?assertEqual("1", write(P, Fd, "x")),
    ?assertEqual(<<"in:x">>, erldrv_test:recv_data(P)),
    "ok" = port_control(P, ?LET_GO, ""),
    Q = erldrv_test:open(?DRV),
    ?assertEqual("held", port_control(Q, ?HELD, Fd)),
    true = port_close(P),
    erldrv_test:wait_until(fun() -> port_control(Q, ?HELD, Fd) =:= "released" end, 3000),
    ?assertEqual("held", port_control(Q, ?SEEN_BY_STOP_SELECT, Fd)),
    ?assertEqual("epipe", write(Q, Fd, "late")),
    ?assertEqual("pong", port_control(Q, ?PING, "")),
    port_close(Q).

%% The pipes above are closed; the VM's resolver opens its own now (likely under the numbers
%% they had). More ports select, deselect and close, and the driver is unloaded: name
%% resolution, which runs through a port of the VM's, still works.
vm_descriptors_are_left_alone() ->
    ?assertMatch({ok, _}, inet:gethostbyname("localhost")),
    [begin
         P = erldrv_test:open(?DRV),
         Fd = port_control(P, ?OPEN, ""),
         ?assertEqual("1", write(P, Fd, "y")),
         ?assertEqual(<<"in:y">>, erldrv_test:recv_data(P)),
         case N rem 2 of
             0 -> "ok" = port_control(P, ?DESELECT, "");
             1 -> ok
         end,
         true = port_close(P)
     end || N <- lists:seq(1, 4)],
    ok = erl_ddll:unload_driver(?DRV),
    erldrv_test:wait_until(fun() ->
        {ok, Loaded} = erl_ddll:loaded_drivers(),
        not lists:member(?DRV, Loaded)
    end, 5000),
    ?assertMatch({ok, _}, inet:gethostbyname("localhost")).
