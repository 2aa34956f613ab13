%% EUnit tests of examples/echo, run in a real BEAM by `cargo test -p echo_drv`.
-module(echo_drv_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "echo_drv").
-define(ECHO, 0).
-define(BINARY_MODE, 1).
-define(LIST_MODE, 2).

setup() -> erldrv_test:load(?DRV).
%% erl_ddll counts loads per process: release the fixture's own reference.
cleanup(_) -> erl_ddll:unload_driver(?DRV).

echo_test_() ->
    {setup, fun setup/0, fun cleanup/1,
     [fun command_echo/0,
      fun command_echo_shares_large_binaries/0,
      fun control_echo_list_and_binary/0,
      fun control_unknown_command_is_badarg/0,
      fun call_echoes_any_term/0,
      fun call_unknown_command_is_badarg/0,
      fun many_processes_many_ports/0]}.

command_echo() ->
    P = erldrv_test:open(?DRV),
    true = port_command(P, <<"hello">>),
    ?assertEqual(<<"hello">>, erldrv_test:recv_data(P)),
    true = port_command(P, [<<"io">>, $l, "ist", [<<>>, [<<"!">>]]]),
    ?assertEqual(<<"iolist!">>, erldrv_test:recv_data(P)),
    true = port_command(P, <<>>),
    ?assertEqual(<<>>, erldrv_test:recv_data(P)),
    port_close(P).

command_echo_shares_large_binaries() ->
    P = erldrv_test:open(?DRV),
    Big = crypto_free_random(65536),
    true = port_command(P, Big),
    ?assertEqual(Big, erldrv_test:recv_data(P)),
    port_close(P).

control_echo_list_and_binary() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual("hello", port_control(P, ?ECHO, <<"hello">>)),
    ?assertEqual("", port_control(P, ?ECHO, <<>>)),
    Big = crypto_free_random(65536),
    ?assertEqual(binary_to_list(Big), port_control(P, ?ECHO, Big)),
    %% The reply to a mode switch comes in the new mode.
    <<>> = port_control(P, ?BINARY_MODE, <<>>),
    ?assertEqual(<<"hello">>, port_control(P, ?ECHO, "hello")),
    ?assertEqual(Big, port_control(P, ?ECHO, Big)),
    [] = port_control(P, ?LIST_MODE, <<>>),
    ?assertEqual("back", port_control(P, ?ECHO, <<"back">>)),
    port_close(P).

control_unknown_command_is_badarg() ->
    P = erldrv_test:open(?DRV),
    ?assertError(badarg, port_control(P, 99, <<>>)),
    ?assertEqual("still here", port_control(P, ?ECHO, "still here")),
    port_close(P).

call_echoes_any_term() ->
    P = erldrv_test:open(?DRV),
    Terms = [ok, 42, -1 bsl 70, 3.25, <<"bin">>, "string", [1, [2], {3}],
             {a, #{k => [v]}, self(), make_ref(), P}, fun erlang:node/0,
             <<1:3>>, crypto_free_random(100000)],
    [?assertEqual(T, erlang:port_call(P, ?ECHO, T)) || T <- Terms],
    port_close(P).

call_unknown_command_is_badarg() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual({erldrv_badarg, <<"unknown command 7">>}, erlang:port_call(P, 7, x)),
    ?assertError({badarg, <<"unknown command 7">>}, erldrv:call(P, 7, x)),
    port_close(P).

%% Many processes, each with its own port, all calling at once: no shared
%% bottleneck, and no reply goes to the wrong caller.
many_processes_many_ports() ->
    Self = self(),
    N = 50,
    Pids = [spawn_link(fun() ->
                P = erldrv_test:open(?DRV),
                Ok = lists:all(fun(K) ->
                    Msg = integer_to_binary(I * 1000 + K),
                    binary_to_list(Msg) =:= port_control(P, ?ECHO, Msg)
                end, lists:seq(1, 200)),
                port_close(P),
                Self ! {done, self(), Ok}
            end) || I <- lists:seq(1, N)],
    ?assert(lists:all(fun(Pid) -> receive {done, Pid, Ok} -> Ok after 10000 -> false end end, Pids)).

%% Unload and reload the driver 100 times, using it each time.
reload_100_times_test() ->
    [begin
         ok = erldrv_test:load(?DRV),
         P = erldrv_test:open(?DRV),
         ?assertEqual("ping", port_control(P, ?ECHO, "ping")),
         true = port_close(P),
         ok = erl_ddll:unload_driver(?DRV),
         %% The VM unloads once the port has finished closing.
         erldrv_test:wait_until(fun() ->
             {ok, Loaded} = erl_ddll:loaded_drivers(),
             not lists:member(?DRV, Loaded)
         end, 5000)
     end || _ <- lists:seq(1, 100)],
    ok.

%% Random-looking bytes without depending on the crypto application.
crypto_free_random(N) ->
    list_to_binary([rand:uniform(256) - 1 || _ <- lists:seq(1, N)]).
