%% The entry a library presents, chosen when the VM loads it (erldrv::driver_init!): each
%% candidate runs with its own callbacks, a refusal or a panic fails the load with the
%% VM's driver_init_failed and erldrv:load/2 gives the reason; and the slots of each
%% entry are NULL unless the candidate or the framework needs them. Drives
%% beam-tests/drivers/choice.
-module(choice_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "choice_drv").
-define(FRAMEWORK, ["finish", "start", "stop", "stop_select", "timeout"]).

%% Loads the library with CHOICE_DRV set to Choice (false: unset), runs Fun, unloads.
with_choice(Choice, Fun) ->
    case Choice of
        false -> os:unsetenv("CHOICE_DRV");
        _ -> os:putenv("CHOICE_DRV", Choice)
    end,
    try
        ok = erl_ddll:load_driver(erldrv_test:driver_dir(), ?DRV),
        try Fun() after ok = erl_ddll:unload_driver(?DRV) end
    after
        os:unsetenv("CHOICE_DRV")
    end.

ctl(P, Words) -> port_control(P, 0, Words).

slots(P, Candidate) -> lists:sort(string:lexemes(ctl(P, "slots " ++ Candidate), " ")).

the_default_choice_test() ->
    with_choice(false, fun() ->
        P = erldrv_test:open(?DRV),
        ?assertEqual("plain", ctl(P, "who")),
        %% No process_exit in its entry: the VM refuses monitors, as for a C driver.
        ?assertEqual("refused", ctl(P, "monitor")),
        port_close(P)
    end).

each_candidate_runs_its_own_callbacks_test() ->
    with_choice("full", fun() ->
        P = erldrv_test:open(?DRV),
        ?assertEqual("full", ctl(P, "who")),
        ?assertEqual("monitored", ctl(P, "monitor")),
        port_close(P)
    end),
    with_choice("watching", fun() ->
        P = erldrv_test:open(?DRV),
        ?assertEqual("watching", ctl(P, "who")),
        ?assertEqual("monitored", ctl(P, "monitor")),
        port_close(P)
    end),
    %% No control in Bare's entry: port_control gets the VM's own badarg.
    with_choice("bare", fun() ->
        P = erldrv_test:open(?DRV),
        ?assertError(badarg, ctl(P, "who")),
        port_close(P)
    end).

%% What each entry holds: the framework's five slots, and otherwise only what the
%% candidate writes (process_exit also with watch_callers).
entry_slots_test() ->
    with_choice(false, fun() ->
        P = erldrv_test:open(?DRV),
        ?assertEqual(lists:sort(?FRAMEWORK), slots(P, "bare")),
        ?assertEqual(lists:sort(["control" | ?FRAMEWORK]), slots(P, "plain")),
        ?assertEqual(lists:sort(["control", "process_exit" | ?FRAMEWORK]),
                     slots(P, "watching")),
        ?assertEqual(lists:sort(["control", "ready_async", "process_exit" | ?FRAMEWORK]),
                     slots(P, "full")),
        port_close(P)
    end).

load_error(Choice) ->
    os:putenv("CHOICE_DRV", Choice),
    try
        Raw = erl_ddll:load_driver(erldrv_test:driver_dir(), ?DRV),
        %% The reason erldrv passes on for erldrv:load/2, which this test bypasses.
        Var = "ERLDRV_INIT_ERROR_" ++ ?DRV,
        Why = os:getenv(Var),
        os:unsetenv(Var),
        Text = try erldrv_test:load(?DRV), loaded
               catch error:{erldrv_load_failed, ?DRV, _, T} -> T
               end,
        {Raw, Why, Text}
    after
        os:unsetenv("CHOICE_DRV")
    end.

a_refusal_fails_the_load_with_its_reason_test() ->
    {Raw, Why, Text} = load_error("refuse"),
    %% All the VM can say: the same as for an init that returns -1.
    ?assertEqual({error, driver_init_failed}, Raw),
    ?assertEqual("Driver init failed", erl_ddll:format_error(driver_init_failed)),
    ?assertEqual("CHOICE_DRV=refuse: no driver for this machine", Why),
    ?assertNotEqual(nomatch, string:find(Text, "init failed: CHOICE_DRV=refuse: no driver")),
    ?assertNot(lists:member(?DRV, element(2, erl_ddll:loaded_drivers()))).

a_panic_in_the_chooser_fails_the_load_test() ->
    {Raw, Why, _} = load_error("panic"),
    ?assertEqual({error, driver_init_failed}, Raw),
    ?assertEqual("panic in driver_init: deliberate panic in driver_init", Why).

choosing_a_driver_of_another_name_is_refused_test() ->
    {Raw, Why, _} = load_error("stranger"),
    ?assertEqual({error, driver_init_failed}, Raw),
    ?assertNotEqual(nomatch, string:find(Why, "chose driver \"stranger_drv\"")).

the_library_loads_again_after_refusals_test() ->
    _ = load_error("refuse"),
    with_choice(false, fun() ->
        P = erldrv_test:open(?DRV),
        ?assertEqual("plain", ctl(P, "who")),
        port_close(P)
    end).
