%% A driver that writes only `start`: every slot the framework does not need itself is NULL,
%% so the VM's defaults apply.
-module(bare_tests).
-include_lib("eunit/include/eunit.hrl").

bare_test() ->
    ok = erldrv_test:load("bare_drv"),
    P = erldrv_test:open("bare_drv"),
    ?assertError(badarg, port_control(P, 0, "x")),
    ?assertError(badarg, erlang:port_call(P, 0, x)),
    %% No output callback: the VM accepts and drops the data.
    ?assert(port_command(P, <<"dropped">>)),
    erldrv_test:no_message(P),
    ?assert(port_close(P)).
