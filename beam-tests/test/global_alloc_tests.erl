%% DriverAllocator as a driver's global allocator: the driver's Vec is counted by
%% erlang:memory(system) and given back when dropped; alignments beyond the VM's blocks
%% (16 to 64 KiB) hold through growth and shrinking; the VM's own blocks are 8-aligned;
%% threads allocate at once. Drives beam-tests/drivers/global_alloc.
-module(global_alloc_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "global_alloc_drv").
-define(MIB, (1 bsl 20)).

global_alloc_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [fun a_vec_is_counted_by_the_vm/0,
       fun alignments_beyond_the_vms/0,
       fun the_vms_blocks_are_8_aligned/0,
       fun threads_allocate_at_once/0]}}.

ctl(P, Words) -> port_control(P, 0, Words).

a_vec_is_counted_by_the_vm() ->
    P = erldrv_test:open(?DRV),
    Before = erlang:memory(system),
    [] = ctl(P, "hold 50"),
    Held = round((erlang:memory(system) - Before) / ?MIB),
    [] = ctl(P, "release"),
    After = round((erlang:memory(system) - Before) / ?MIB),
    port_close(P),
    ?assert(Held >= 48 andalso Held =< 60, {held, Held}),
    ?assert(abs(After) =< 4, {after_release, After}).

alignments_beyond_the_vms() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual("ok", ctl(P, "aligned")),
    port_close(P).

the_vms_blocks_are_8_aligned() ->
    P = erldrv_test:open(?DRV),
    [Eight, Sixteen] = [list_to_integer(W) || W <- string:lexemes(ctl(P, "min_align"), " ")],
    ?assertEqual(1000, Eight),
    io:format(user, "driver_alloc blocks aligned to 16: ~p of 1000~n", [Sixteen]),
    port_close(P).

threads_allocate_at_once() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual("ok", ctl(P, "threads")),
    ?assertEqual("pong", ctl(P, "ping")),
    port_close(P).
