%% Load -> panic in init -> unload, many times, with RUST_BACKTRACE=1 (the harness sets it):
%% the VM's resident memory must not grow with the cycles. std's default panic hook kept a
%% symbol cache of several megabytes in the driver's statics at every cycle.
-module(panic_cycles_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "init_fail_drv").
-define(CYCLES, 30).
-define(CONTEXTS, "contexts_drv").
-define(PORT_CYCLES, 8).

cycles_test_() ->
    [{timeout, 120, fun no_growth/0},
     {timeout, 120, fun no_growth_after_port_panics/0}].

no_growth() ->
    "1" = os:getenv("RUST_BACKTRACE"),
    os:putenv("INIT_FAIL_MODE", "panic"),
    %% Warm up: the VM's allocators and the unwinder's own one-time state.
    cycles(5),
    Before = rss_kib(),
    cycles(?CYCLES),
    Growth = rss_kib() - Before,
    io:format(user, "VmRSS grew ~p KiB over ~p load/panic/unload cycles~n", [Growth, ?CYCLES]),
    %% std's hook lost about 3 MiB per cycle; allow a little noise, not a leak.
    ?assert(Growth < 16 * 1024, {grew_kib, Growth, over_cycles, ?CYCLES}).

cycles(0) -> ok;
cycles(N) ->
    {error, driver_init_failed} = erl_ddll:load_driver(erldrv_test:driver_dir(), ?DRV),
    cycles(N - 1).

rss_kib() ->
    {ok, Status} = file:read_file("/proc/self/status"),
    {match, [Kib]} = re:run(Status, "VmRSS:\\s+(\\d+) kB", [{capture, all_but_first, list}]),
    list_to_integer(Kib).

%% The same through a port callback: load, open a port, panic in control, unload. The
%% symbol cache lives while the driver is loaded (later panics reuse it) and must go with
%% the driver at unload. Each cycle symbolizes anew, which takes a second or so.
no_growth_after_port_panics() ->
    "1" = os:getenv("RUST_BACKTRACE"),
    port_panic_cycles(2),
    Before = rss_kib(),
    port_panic_cycles(?PORT_CYCLES),
    Growth = rss_kib() - Before,
    io:format(user, "VmRSS grew ~p KiB over ~p load/port panic/unload cycles~n",
              [Growth, ?PORT_CYCLES]),
    ?assert(Growth < 16 * 1024, {grew_kib, Growth, over_cycles, ?PORT_CYCLES}).

port_panic_cycles(0) -> ok;
port_panic_cycles(N) ->
    process_flag(trap_exit, true),
    ok = erl_ddll:load_driver(erldrv_test:driver_dir(), ?CONTEXTS),
    P = erldrv_test:open(?CONTEXTS),
    {'EXIT', {badarg, _}} = (catch port_control(P, 0, "panic")),
    erldrv_panic = erldrv_test:recv_exit(P),
    erldrv_test:flush(),
    ok = erl_ddll:unload_driver(?CONTEXTS),
    port_panic_cycles(N - 1).
