%% The guide's first driver (erldrv/src/guide/first_driver.md): loaded with erldrv:load/2,
%% called with port_command and port_control as the chapter shows. Drives
%% beam-tests/drivers/guide_first.
-module(guide_first_tests).
-include_lib("eunit/include/eunit.hrl").

first_test() ->
    ok = erldrv:load(erldrv_test:driver_dir(), "upcase_drv"),
    Port = erldrv:open("upcase_drv", [binary]),
    true = port_command(Port, <<"hello">>),
    ?assertEqual(<<"HELLO">>, erldrv_test:recv_data(Port)),
    true = port_command(Port, ["wor", <<"ld">>]),
    ?assertEqual(<<"WORLD">>, erldrv_test:recv_data(Port)),
    ?assertEqual("10", port_control(Port, 0, [])),
    ?assertError({badarg, <<"unknown command 7">>}, erldrv:control(Port, 7, [])),
    port_close(Port),
    ok = erldrv:unload("upcase_drv").
