%% Passes: the kit loaded examples/echo before the tests, so ports open right away.
-module(kit_pass_tests).
-include_lib("eunit/include/eunit.hrl").

control_echoes_test() ->
    P = open_port({spawn_driver, "echo_drv"}, [binary]),
    ?assertEqual("kit", port_control(P, 0, <<"kit">>)),
    port_close(P).

helpers_are_there_test() ->
    P = erldrv_test:open("echo_drv"),
    true = port_command(P, <<"data">>),
    ?assertEqual(<<"data">>, erldrv_test:recv_data(P)),
    port_close(P).
