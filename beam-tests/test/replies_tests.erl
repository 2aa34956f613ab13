%% What control and call hand back: control replies of every size in list and binary mode,
%% a mode switch after a large reply, errors and panics that drop a written reply, and call
%% replies (echoed, invalid, refused, larger than the VM's buffer, grown piece by piece,
%% dropped by a panic while encoding). Drives beam-tests/drivers/replies.
-module(replies_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "replies_drv").

replies_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [fun control_replies_of_every_size/0,
       fun control_mode_switch_after_a_large_reply/0,
       fun control_errors_leave_the_port_usable/0,
       fun call_replies/0,
       {"a panic in control and in call", fun panics_in_control_and_call/0}]}}.

%% Control commands are words: the verb, then its argument. Call requests are an atom or
%% {Atom, Argument}.
ctl(P, Words) -> port_control(P, 0, Words).
call(P, Request) -> erlang:port_call(P, 0, Request).

pattern(N) -> << <<(I rem 251)>> || I <- lists:seq(0, N - 1) >>.

control_replies_of_every_size() ->
    P = erldrv_test:open(?DRV),
    Inline = list_to_integer(ctl(P, "inline_capacity")),
    ?assert(Inline > 0),
    Sizes = [0, 1, Inline - 1, Inline, Inline + 1, 4096, 100000],
    [?assertEqual(binary_to_list(pattern(N)), ctl(P, "reply_bytes " ++ integer_to_list(N)))
     || N <- Sizes],
    ctl(P, "binary_mode on"),
    [?assertEqual(pattern(N), ctl(P, "reply_bytes " ++ integer_to_list(N))) || N <- Sizes],
    port_close(P).

control_mode_switch_after_a_large_reply() ->
    P = erldrv_test:open(?DRV),
    M = binary:copy(<<"m">>, 1000),
    ?assertEqual(M, ctl(P, "write_then_switch on")),
    ?assertEqual(binary_to_list(M), ctl(P, "write_then_switch off")),
    port_close(P).

control_errors_leave_the_port_usable() ->
    P = erldrv_test:open(?DRV),
    ?assertError(badarg, ctl(P, "badarg")),
    ?assertError(badarg, ctl(P, "write_then_badarg")),
    ?assertError(badarg, ctl(P, "no_such_command")),
    ctl(P, "binary_mode on"),
    ?assertError(badarg, ctl(P, "write_then_badarg")),
    ?assertEqual(<<"pong">>, ctl(P, "ping")),
    port_close(P).

call_replies() ->
    P = erldrv_test:open(?DRV),
    [?assertEqual(T, call(P, {echo, T}))
     || T <- [a, 1, [x | y], {<<"b">>, 2.5}, #{1 => 2}, lists:seq(1, 10000)]],
    %% A reply that is not a valid term is refused by the VM, not trusted.
    ?assertError(badarg, call(P, invalid_term)),
    ?assertEqual({erldrv_badarg, <<"deliberate">>}, call(P, refuse)),
    ?assertMatch({erldrv_badarg, <<"expected an integer, found an atom">>},
                 call(P, {binary_of, x})),
    ?assertEqual(binary:copy(<<"z">>, 100000), call(P, {binary_of, 100})),
    %% Out of the VM's buffer, then grown again and again, keeping what was written.
    [?assertEqual(lists:duplicate(N, binary:copy(<<"p">>, 1000)), call(P, {pieces, N}))
     || N <- [0, 1, 2, 300]],
    ?assertEqual(<<"pong">>, iolist_to_binary(ctl(P, "ping"))),
    port_close(P).

%% For control and call: make it panic, check the owner is told and the port exits with
%% erldrv_panic, and that the VM carries on.
panics_in_control_and_call() ->
    process_flag(trap_exit, true),
    Cases =
        [{"control", fun(P) -> ?assertError(badarg, ctl(P, "ping")) end},
         {"call", fun(P) ->
              ?assertEqual({erldrv_panic, <<"deliberate panic in call">>}, call(P, {echo, x}))
          end}],
    [begin
         P = erldrv_test:open(?DRV),
         [] = ctl(P, "panic_in " ++ Callback),
         Trigger(P),
         ?assertEqual(iolist_to_binary(["deliberate panic in ", Callback]), erldrv_test:recv_panic(P)),
         ?assertEqual(erldrv_panic, erldrv_test:recv_exit(P))
     end || {Callback, Trigger} <- Cases],
    %% A panic after a large reply was written frees the reply and raises badarg.
    Q = erldrv_test:open(?DRV),
    ?assertError(badarg, ctl(Q, "panic_after_write")),
    ?assertEqual(<<"deliberate panic in control after a large reply">>, erldrv_test:recv_panic(Q)),
    ?assertEqual(erldrv_panic, erldrv_test:recv_exit(Q)),
    %% A panic while encoding a call reply that had left the VM's buffer: the reply is
    %% freed, and the caller gets the panic in the VM's buffer instead.
    R = erldrv_test:open(?DRV),
    ?assertEqual({erldrv_panic, <<"deliberate panic while encoding a call reply">>},
                 call(R, {panic_after, 100})),
    ?assertEqual(<<"deliberate panic while encoding a call reply">>, erldrv_test:recv_panic(R)),
    ?assertEqual(erldrv_panic, erldrv_test:recv_exit(R)),
    process_flag(trap_exit, false),
    %% The driver still serves new ports.
    ?assertEqual("pong", ctl(erldrv_test:open(?DRV), "ping")).
