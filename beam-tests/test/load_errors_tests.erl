%% erldrv:load/2 and erldrv:load_priv/2 turn the usual load failures into messages that
%% name the file, say what is wrong and what to do. tests/beam.rs prepares the broken
%% files in ERLDRV_BROKEN_DIR:
%%
%%   libbare_drv.so            bare_drv under cargo's file name
%%   renamed_drv.so            bare_drv under another name
%%   other/plain_drv.so        plain_drv again, in another directory
%%   fake_app/{ebin,priv}      an application with terms_drv.so in its priv directory
%%   garbage.so                not a shared library
%%   no_driver_init.so         a shared library with no driver_init
%%   wrong_version.so          a driver built for driver API version 4.0
-module(load_errors_tests).
-include_lib("eunit/include/eunit.hrl").

broken_dir() ->
    case os:getenv("ERLDRV_BROKEN_DIR") of
        false -> error(erldrv_broken_dir_not_set);
        Dir -> Dir
    end.

%% The text of the error erldrv:load/2 raises.
load_error(Dir, Name) ->
    try erldrv:load(Dir, Name) of
        ok -> error({loaded, Dir, Name})
    catch
        error:{erldrv_load_failed, Name, Dir, Text} -> Text
    end.

so(Dir, Name) -> filename:join(Dir, Name ++ ".so").

cargo_file_name_test() ->
    D = broken_dir(),
    ?assertEqual("wrong file name: " ++ so(D, "bare_drv") ++ " does not exist, but "
                 ++ filename:join(D, "libbare_drv.so") ++ " does. The VM opens "
                 "bare_drv.so, without the lib prefix cargo gives the library (and with "
                 ".so on macOS too): install the library as " ++ so(D, "bare_drv"),
                 load_error(D, "bare_drv")).

driver_name_mismatch_test() ->
    D = broken_dir(),
    ?assertEqual("driver name mismatch: " ++ so(D, "renamed_drv") ++ " holds a driver "
                 "that is not named \"renamed_drv\". The driver name (#[erl_driver(name = "
                 "\"...\")], by default the crate name) must be the file name without .so",
                 load_error(D, "renamed_drv")),
    %% Atoms name drivers as well as strings do.
    ?assertError({erldrv_load_failed, renamed_drv, D, "driver name mismatch: " ++ _},
                 erldrv:load(D, renamed_drv)).

no_driver_init_test() ->
    D = broken_dir(),
    ?assertEqual(so(D, "no_driver_init") ++ " is a shared library but not a driver: it "
                 "has no driver_init function. A Rust driver gets one from #[erl_driver] "
                 "on its impl Driver, in a crate with crate-type = [\"cdylib\"]",
                 load_error(D, "no_driver_init")).

wrong_driver_version_test() ->
    D = broken_dir(),
    ?assertEqual(so(D, "wrong_version") ++ " was built for a driver API version this VM "
                 "does not load: OTP " ++ erlang:system_info(otp_release) ++ " has driver "
                 "version " ++ erlang:system_info(driver_version) ++ " and loads drivers of "
                 "the same major version and an equal or lower minor version. Rebuild the "
                 "driver for this OTP (erldrv drivers are version 3.3, for OTP 19 and later)",
                 load_error(D, "wrong_version")).

same_name_from_another_file_test() ->
    ok = erldrv_test:load("plain_drv"),
    D = broken_dir(),
    Other = filename:join(D, "other"),
    ?assertEqual("a driver named plain_drv is already loaded, from another file: the VM "
                 "holds one driver per name. Unload it (erldrv:unload/1; it goes once its "
                 "ports are closed) before loading " ++ so(Other, "plain_drv"),
                 load_error(Other, "plain_drv")),
    %% Loading again from the same file is fine.
    ?assertEqual(ok, erldrv_test:load("plain_drv")).

missing_file_test() ->
    D = broken_dir(),
    ?assertEqual(so(D, "absent_drv") ++ " does not exist: build the driver and install "
                 "its library there as absent_drv.so",
                 load_error(D, "absent_drv")),
    NoDir = filename:join(D, "no_such_dir"),
    ?assertEqual(so(NoDir, "absent_drv") ++ " does not exist: directory " ++ NoDir
                 ++ " is missing",
                 load_error(NoDir, "absent_drv")).

other_errors_keep_the_system_text_test() ->
    D = broken_dir(),
    {error, Reason} = erl_ddll:load_driver(D, "garbage"),
    ?assertEqual(so(D, "garbage") ++ ": " ++ erl_ddll:format_error(Reason),
                 load_error(D, "garbage")).

load_priv_test() ->
    D = broken_dir(),
    true = code:add_patha(filename:join([D, "fake_app", "ebin"])),
    ?assertEqual(ok, erldrv:load_priv(fake_app, "terms_drv")),
    P = erldrv_test:open("terms_drv"),
    ?assert(port_close(P)),
    ?assertError({erldrv_load_failed, "terms_drv", no_such_app,
                  "application no_such_app is not in the code path, so it has no priv "
                  "directory to load driver terms_drv from (is no_such_app a dependency, "
                  "and was it built?)"},
                 erldrv:load_priv(no_such_app, "terms_drv")),
    %% Failures name the priv directory.
    Priv = code:priv_dir(fake_app),
    ?assertEqual(filename:join([D, "fake_app", "priv"]), Priv),
    ?assertError({erldrv_load_failed, "absent_drv", Priv, _},
                 erldrv:load_priv(fake_app, "absent_drv")).
