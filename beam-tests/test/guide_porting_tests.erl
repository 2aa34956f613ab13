%% The guide's porting chapter (erldrv/src/guide/porting.md): the C driver
%% (beam-tests/c/keeper_drv.c) and its erldrv version (beam-tests/drivers/guide_porting)
%% behave the same; beam.rs runs this module against each.
-module(guide_porting_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "keeper_drv").

porting_test() ->
    ok = erl_ddll:load_driver(erldrv_test:driver_dir(), ?DRV),
    Port = open_port({spawn_driver, ?DRV}, []),
    ?assertEqual([], port_control(Port, 1, [])),
    true = port_command(Port, <<"abc">>),
    receive {Port, kept, 3} -> ok after 5000 -> error(no_kept) end,
    ?assertEqual("abc", port_control(Port, 1, [])),
    Big = binary:copy(<<"x">>, 100000),
    true = port_command(Port, Big),
    receive {Port, kept, 100000} -> ok after 5000 -> error(no_kept) end,
    ?assertEqual(binary_to_list(Big), port_control(Port, 1, [])),
    ?assertError(badarg, port_control(Port, 2, [])),
    port_close(Port),
    ?assertError(badarg, open_port({spawn_driver, ?DRV ++ " x"}, [])),
    ok = erl_ddll:unload_driver(?DRV).
