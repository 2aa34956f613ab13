%% Fails on purpose: the Rust test checks that EUnit's report reaches its message.
-module(kit_fail_tests).
-include_lib("eunit/include/eunit.hrl").

echo_is_not_what_we_say_test() ->
    P = open_port({spawn_driver, "echo_drv"}, [binary]),
    ?assertEqual("the expected reply", port_control(P, 0, <<"the actual reply">>)).
