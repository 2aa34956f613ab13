%% Both ends of the driver queue: bytes, binaries and outputv data pushed at the front or
%% appended, binaries shared rather than copied, from a callback and from another thread;
%% ranges outside the data are errors and the port and the VM carry on. Drives
%% beam-tests/drivers/queue_more.
-module(queue_more_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "queue_more_drv").

queue_more_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [fun pushed_bytes_come_out_first/0,
       fun a_pushed_binary_is_shared/0,
       fun a_binary_range_outside_is_an_error/0,
       fun outputv_data_enqueued_by_reference/0,
       fun outputv_data_pushed_by_reference/0,
       fun a_skip_beyond_the_data_is_an_error/0,
       fun kept_data_pushed_from_another_thread/0]}}.

%% Control commands are words: the verb, then its arguments.
ctl(P, Words) -> port_control(P, 0, Words).

%% A binary large enough for the VM to pass by reference (not copied into a small one).
big(Char) -> binary:copy(<<Char>>, 1000).

pushed_bytes_come_out_first() ->
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "enqueue world"),
    [] = ctl(P, "push  "),
    [] = ctl(P, "push hello"),
    [] = ctl(P, "enqueue !"),
    ?assertEqual("hello world!", ctl(P, "contents")),
    [] = ctl(P, "clear"),
    port_close(P).

%% "23456" of the binary is the first slice, the binary's own bytes; the queue held one
%% reference while it was queued and dropped it when dequeued.
a_pushed_binary_is_shared() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual("same 1 2 1", ctl(P, "push_binary_shared")),
    ?assertEqual("0", ctl(P, "queue_len")),
    ?assertEqual("ok", ctl(P, "push_binary 2 5")),
    ?assertEqual("23456", ctl(P, "contents")),
    [] = ctl(P, "clear"),
    port_close(P).

a_binary_range_outside_is_an_error() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual("bytes 5..11 are outside the 10 bytes of the binary",
                 ctl(P, "push_binary 5 6")),
    Max = integer_to_list(1 bsl 64 - 1),
    ?assertEqual(
        "2 bytes from offset " ++ Max ++ " overflow; the binary has 10 bytes",
        ctl(P, "push_binary " ++ Max ++ " 2")),
    ?assertEqual("bytes 11..11 are outside the 10 bytes of the binary",
                 ctl(P, "push_binary 11 0")),
    %% Nothing was queued, and the port goes on.
    ?assertEqual("0", ctl(P, "queue_len")),
    ?assertEqual("ok", ctl(P, "push_binary 10 0")),
    ?assertEqual("pong", ctl(P, "ping")),
    port_close(P).

outputv_data_enqueued_by_reference() ->
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "enqueue first:"),
    A = big($a),
    true = port_command(P, [<<"head:">>, A]),
    ?assertEqual("shared", ctl(P, "last")),
    [] = ctl(P, "mode enqueue_iovec 5"),
    B = big($b),
    true = port_command(P, [<<"skip:">>, B]),
    ?assertEqual("shared", ctl(P, "last")),
    ?assertEqual(binary_to_list(<<"first:head:", A/binary, B/binary>>), ctl(P, "contents")),
    [] = ctl(P, "clear"),
    port_close(P).

outputv_data_pushed_by_reference() ->
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "enqueue tail"),
    [] = ctl(P, "mode push_iovec 2"),
    A = big($a),
    true = port_command(P, [<<"xxfront:">>, A]),
    ?assertEqual("shared", ctl(P, "last")),
    ?assertEqual(binary_to_list(<<"front:", A/binary, "tail">>), ctl(P, "contents")),
    [] = ctl(P, "clear"),
    port_close(P).

a_skip_beyond_the_data_is_an_error() ->
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "mode enqueue_iovec 1006"),
    true = port_command(P, [<<"abcde">>, big($a)]),
    ?assertEqual("cannot skip 1006 bytes of an I/O vector of 1005 bytes", ctl(P, "last")),
    [] = ctl(P, "mode push_iovec 1006"),
    true = port_command(P, [<<"abcde">>, big($a)]),
    ?assertEqual("cannot skip 1006 bytes of an I/O vector of 1005 bytes", ctl(P, "last")),
    ?assertEqual("0", ctl(P, "queue_len")),
    %% A skip of the whole data queues nothing, and is no error.
    [] = ctl(P, "mode enqueue_iovec 1005"),
    true = port_command(P, [<<"abcde">>, big($a)]),
    ?assertEqual("0", ctl(P, "queue_len")),
    [] = ctl(P, "mode keep"),
    true = port_command(P, [<<"abcde">>]),
    ?assertEqual("cannot skip 6 bytes of an I/O vector of 5 bytes", ctl(P, "enqueue_kept 6")),
    ?assertEqual("0", ctl(P, "queue_len")),
    ?assertEqual("pong", ctl(P, "ping")),
    port_close(P).

%% Data kept past its outputv (binaries by reference) is pushed in front of the queue by a
%% thread of the driver, under the port data lock.
kept_data_pushed_from_another_thread() ->
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "mode keep"),
    A = big($a),
    true = port_command(P, [<<"abc">>, A]),
    ?assertEqual("kept", ctl(P, "last")),
    [] = ctl(P, "enqueue tail"),
    [] = ctl(P, "push_kept_from_thread 1"),
    receive {pushed, Result} -> ?assertEqual(<<"ok">>, Result)
    after 5000 -> error(no_pushed_message)
    end,
    ?assertEqual(binary_to_list(<<"bc", A/binary, "tail">>), ctl(P, "contents")),
    [] = ctl(P, "clear"),
    port_close(P).
