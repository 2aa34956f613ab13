%% A shared library opened through the VM (erldrv::dl): C functions found in it and
%% called, and the loader's errors reported. The library is dl_drv's own (the VM appends
%% ".so" to the path). Drives beam-tests/drivers/dl.
-module(dl_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "dl_drv").

dl_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [{"functions of an opened library", fun call_functions/0},
       {"errors of the loader", fun errors/0},
       {"no ports created without port locking", fun create_port_refused/0}]}}.

ctl(P, Words) -> port_control(P, 0, Words).

own_library() -> filename:join(erldrv_test:driver_dir(), ?DRV).

call_functions() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual("ok", ctl(P, "open " ++ own_library())),
    ?assertEqual("5", ctl(P, "hypot 3 4")),
    %% cos is the C math library's, a dependency of the opened library.
    ?assertEqual("1", ctl(P, "cos 0")),
    Half = list_to_float(ctl(P, "cos 1.0471975511965976")),
    ?assert(abs(Half - 0.5) < 1.0e-12),
    "ok" = ctl(P, "close"),
    ?assertError(badarg, ctl(P, "cos 0")),
    port_close(P).

errors() ->
    P = erldrv_test:open(?DRV),
    %% OTP 25 keeps no reason for a failed open: the file tried, with the extension the
    %% VM appended, and whether it exists.
    ?assertEqual("error: /no/such/lib: no such file: /no/such/lib.so",
                 ctl(P, "open /no/such/lib")),
    NotALibrary = filename:join(erldrv_test:driver_dir(), "not_a_library"),
    ok = file:write_file(NotALibrary ++ ".so", <<"not a shared library">>),
    ?assertEqual("error: " ++ NotALibrary ++ ": " ++ NotALibrary
                 ++ ".so could not be loaded (the VM gives no reason)",
                 ctl(P, "open " ++ NotALibrary)),
    ok = file:delete(NotALibrary ++ ".so"),
    ?assertEqual("error: a\0b: a path with a NUL byte", ctl(P, "open a\0b")),
    "ok" = ctl(P, "open " ++ own_library()),
    %% A failed lookup has the loader's own message.
    "error: no_such_symbol: " ++ Undefined = ctl(P, "sym no_such_symbol"),
    ?assertNotEqual(nomatch, string:find(Undefined, "undefined symbol: no_such_symbol")),
    "error: cos: a symbol is a pointer" ++ _ = ctl(P, "sym_wrong_size"),
    port_close(P).

%% Not about libraries: dl_drv has driver-level locking, under which OTP 25 would hang in
%% driver_create_port; erldrv refuses instead (api_misc_tests has the ports that work).
create_port_refused() ->
    P = erldrv_test:open(?DRV),
    "DriverLocking: creating ports needs #[erl_driver(port_locking)]" ++ _
        = ctl(P, "create_port"),
    ?assertEqual("ok", ctl(P, "close")),
    port_close(P).
