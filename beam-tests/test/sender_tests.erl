%% Term messages sent from threads other than the scheduler's, through erldrv::Sender:
%% from an async job's own thread, from an erldrv::thread, from a plain thread that keeps
%% the sender after its port closed, and to a dead process. Drives
%% beam-tests/drivers/sender.
-module(sender_tests).
-include_lib("eunit/include/eunit.hrl").

-define(DRV, "sender_drv").
-define(TIMEOUT, 3000).

sender_test_() ->
    {setup, fun() -> ok = erldrv_test:load(?DRV) end, fun(_) -> ok end,
     {inorder,
      [fun an_async_job_sends_from_its_own_thread/0,
       fun a_driver_thread_sends_to_the_owner_in_order/0,
       fun a_kept_sender_after_close_is_not_delivered/0,
       fun equal_map_keys_are_refused/0,
       fun sending_to_a_dead_process_is_not_delivered/0]}}.

%% Control commands are words: the verb, then its argument.
ctl(P, Words) -> port_control(P, 0, Words).

%% The job's message arrives while the job still waits for `release`: ready_async cannot
%% have run, so the message came from the job's thread. ready_async's comes after.
an_async_job_sends_from_its_own_thread() ->
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "async"),
    receive {from_job, P} -> ok
    after ?TIMEOUT -> error(no_message_from_the_job)
    end,
    receive {ready_async, P} = Early -> error({ready_async_before_release, Early})
    after 100 -> ok
    end,
    [] = ctl(P, "release"),
    receive {ready_async, P} -> ok
    after ?TIMEOUT -> error(no_message_from_ready_async)
    end,
    port_close(P).

a_driver_thread_sends_to_the_owner_in_order() ->
    P = erldrv_test:open(?DRV),
    N = 200,
    [] = ctl(P, "thread " ++ integer_to_list(N)),
    receive {warm} -> ok after ?TIMEOUT -> error(no_warm_up) end,
    Got = [receive M -> M after ?TIMEOUT -> error({missing, I}) end
           || I <- lists:seq(0, N - 1)],
    Expected = [{seq, I, <<"payload">>, {I, -I, warm, cold, dynamic_name}, <<"shared">>}
                || I <- lists:seq(0, N - 1)],
    ?assertEqual(Expected, Got),
    receive {seq_done, N} -> ok after ?TIMEOUT -> error(no_seq_done) end,
    port_close(P).

%% The thread sends with output_term (to the owner) and send_term (to the owner's pid,
%% alive) after the port has closed: neither is delivered, nothing crashes, and the thread
%% tells a later port what it saw.
a_kept_sender_after_close_is_not_delivered() ->
    P = erldrv_test:open(?DRV),
    [] = ctl(P, "keep"),
    true = port_close(P),
    Q = erldrv_test:open(?DRV),
    %% The VM answers -1 for a closed port, as for a term it refuses; the only refusal
    %% the builder cannot rule out is equal map keys, so a term with a map of two pairs
    %% stays "refused".
    ?assertEqual("output=not_delivered send=not_delivered "
                 "map=the VM refused the term (returned -1); a map with equal keys is one cause",
                 ctl(Q, "go")),
    receive {after_close, _} = M -> error({delivered_after_close, M})
    after 100 -> ok
    end,
    %% The VM and the driver carry on.
    [] = ctl(Q, "remember"),
    port_close(Q).

%% Equal map keys, from a thread to a live process: refused, with the same -1.
equal_map_keys_are_refused() ->
    P = erldrv_test:open(?DRV),
    ?assertEqual("the VM refused the term (returned -1); a map with equal keys is one cause",
                 ctl(P, "equal_keys")),
    port_close(P).

sending_to_a_dead_process_is_not_delivered() ->
    P = erldrv_test:open(?DRV),
    Self = self(),
    {Pid, Ref} = spawn_monitor(fun() -> [] = ctl(P, "remember"), Self ! remembered end),
    receive remembered -> ok after ?TIMEOUT -> error(not_remembered) end,
    receive {'DOWN', Ref, process, Pid, normal} -> ok after ?TIMEOUT -> error(no_down) end,
    ?assertEqual("not_delivered", ctl(P, "send_remembered")),
    %% The same send to a live process is delivered.
    [] = ctl(P, "remember"),
    ?assertEqual("ok", ctl(P, "send_remembered")),
    receive {to_the_dead, 1} -> ok after ?TIMEOUT -> error(not_delivered_to_the_living) end,
    port_close(P).
