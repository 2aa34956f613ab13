%% Data in and out without copying: outputv sends back what it gets, past a prefix or not,
%% or keeps its binaries to send later; output_binary sends part of a binary; a busy port
%% refuses writers; a panic in outputv closes the port. Drives beam-tests/drivers/output.
-module(output_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "output_drv").

output_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [fun outputv_shares_data/0,
       fun outputv_binaries_can_be_kept/0,
       fun outputv_skips_bytes/0,
       fun output_binary_sends_part_of_a_binary/0,
       fun busy_port/0,
       {"a panic in outputv", fun panic_in_outputv/0}]}}.

%% Control commands are words: the verb, then its argument.
ctl(P, Words) -> port_control(P, 0, Words).

outputv_shares_data() ->
    P = erldrv_test:open(?DRV),
    Big = binary:copy(<<"0123456789">>, 10000),
    true = port_command(P, [<<"ab">>, "c", Big]),
    ?assertEqual(<<"outputv:abc", Big/binary>>, erldrv_test:recv_data(P)),
    port_close(P).

outputv_binaries_can_be_kept() ->
    P = erldrv_test:open(?DRV),
    Big = binary:copy(<<"k">>, 5000),
    %% A sub-binary: the kept segment starts at an offset inside its binary.
    <<_:10/binary, Part/binary>> = Big,
    true = port_command(P, [<<"keep:">>, Part]),
    erldrv_test:no_message(P),
    [] = ctl(P, "send_kept"),
    ?assertEqual(<<"kept:", Part/binary>>, erldrv_test:recv_data(P)),
    port_close(P).

outputv_skips_bytes() ->
    P = erldrv_test:open(?DRV),
    true = port_command(P, [<<"skip:">>, <<"rest">>]),
    ?assertEqual(<<"s:rest">>, erldrv_test:recv_data(P)),
    true = port_command(P, [<<"skipall:">>, <<"rest">>]),
    ?assertEqual(<<"s:">>, erldrv_test:recv_data(P)),
    port_close(P).

output_binary_sends_part_of_a_binary() ->
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "output_binary xpayload"),
    ?assertEqual(<<"bin:payload">>, erldrv_test:recv_data(P)),
    [] = ctl(P, "output_binary"),
    ?assertEqual(<<"bin:">>, erldrv_test:recv_data(P)),
    port_close(P).

busy_port() ->
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "busy on"),
    %% output_drv has no soft_busy: [force] is not supported, [nosuspend] is refused.
    ?assertError(notsup, port_command(P, <<"x">>, [force])),
    ?assertEqual(false, port_command(P, <<"x">>, [nosuspend])),
    [] = ctl(P, "busy off"),
    ?assertEqual(true, port_command(P, <<"x">>, [nosuspend])),
    ?assertEqual(<<"outputv:x">>, erldrv_test:recv_data(P)),
    port_close(P).

%% The owner is told, the port exits with erldrv_panic, and the VM carries on.
panic_in_outputv() ->
    process_flag(trap_exit, true),
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "panic_in outputv"),
    port_command(P, <<"x">>),
    ?assertEqual(<<"deliberate panic in outputv">>, erldrv_test:recv_panic(P)),
    ?assertEqual(erldrv_panic, erldrv_test:recv_exit(P)),
    process_flag(trap_exit, false),
    %% The driver still serves new ports.
    ?assertEqual("pong", ctl(erldrv_test:open(?DRV), "ping")).
