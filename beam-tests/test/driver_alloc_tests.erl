%% Memory from the VM's allocator without a global allocator: a DriverBuf is counted by
%% erlang:memory(system) (a Vec of the same size, from malloc, is not), a Binary grown with
%% resize by erlang:memory(binary); both are given back when dropped. Their methods, and a
%% binary resized while its sender still holds it (a copy: the sender's bytes stay).
%% Drives beam-tests/drivers/driver_alloc.
-module(driver_alloc_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "driver_alloc_drv").
-define(MIB, (1 bsl 20)).

driver_alloc_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [fun a_driver_buf_is_counted_by_the_vm/0,
       fun a_vec_is_not/0,
       fun a_grown_binary_is_counted_by_the_vm/0,
       fun driver_buf_methods/0,
       fun binary_resize/0,
       fun resizing_a_shared_binary_copies_it/0]}}.

ctl(P, Words) -> port_control(P, 0, Words).

%% How much erlang:memory(Type) grows (in MiB, rounded) while the driver holds 50 MiB, and
%% after it has let go.
held_and_released(Type, Hold) ->
    P = erldrv_test:open(?DRV),
    Before = erlang:memory(Type),
    [] = ctl(P, Hold ++ " 50"),
    Held = erlang:memory(Type),
    [] = ctl(P, "release"),
    After = erlang:memory(Type),
    port_close(P),
    {round((Held - Before) / ?MIB), round((After - Before) / ?MIB)}.

a_driver_buf_is_counted_by_the_vm() ->
    {Held, After} = held_and_released(system, "hold_buf"),
    ?assert(Held >= 48 andalso Held =< 60, {held, Held}),
    ?assert(abs(After) =< 4, {after_release, After}).

%% The same measurement sees nothing of malloc's memory: what makes the test above pass is
%% the DriverBuf.
a_vec_is_not() ->
    {Held, _} = held_and_released(system, "hold_vec"),
    ?assert(abs(Held) =< 4, {held, Held}).

a_grown_binary_is_counted_by_the_vm() ->
    {Held, After} = held_and_released(binary, "hold_bin"),
    ?assert(Held >= 48 andalso Held =< 60, {held, Held}),
    ?assert(abs(After) =< 4, {after_release, After}).

driver_buf_methods() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual("0 \"hello 42!!\" \"hello...\" (0, 0) true true", ctl(P, "buf_ops")),
    port_close(P).

binary_resize() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual("true true (2, 2) true (1, 1) true true", ctl(P, "bin_resize")),
    port_close(P).

%% The driver keeps a reference to the caller's binary (so it is shared: the caller holds
%% it too) and resizes it: the driver gets a copy, the caller's binary is unchanged.
resizing_a_shared_binary_copies_it() ->
    P = erldrv_test:open(?DRV),
    Bin = list_to_binary([I rem 256 || I <- lists:seq(0, 999)]),
    Copy = binary:copy(Bin),
    true = port_command(P, Bin),
    Refc = list_to_integer(ctl(P, "resize_kept 1500")),
    ?assert(Refc >= 2, {refc, Refc}),
    Expected = <<Bin/binary, 0:(500 * 8)>>,
    ?assertEqual(Expected, erldrv_test:recv_data(P)),
    ?assertEqual(Copy, Bin),
    true = port_command(P, Bin),
    "2" ++ _ = ctl(P, "resize_kept 10"),
    ?assertEqual(binary:part(Bin, 0, 10), erldrv_test:recv_data(P)),
    ?assertEqual(Copy, Bin),
    port_close(P).
