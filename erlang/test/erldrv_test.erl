%% Helpers shared by the Erlang tests of erldrv's drivers.
-module(erldrv_test).
-export([driver_dir/0, load/1, open/1, open/2, recv_data/1, recv_data/2,
         recv_panic/1, recv_exit/1, no_message/1, wait_until/2, flush/0]).

-define(TIMEOUT, 5000).

%% The directory the harness installed the drivers in.
driver_dir() ->
    case os:getenv("ERLDRV_DRIVER_DIR") of
        false -> error(erldrv_driver_dir_not_set);
        Dir -> Dir
    end.

load(Name) -> erldrv:load(driver_dir(), Name).

%% open_port/2 itself, not erldrv:open/2: these tests check what the VM does, messages and
%% errors as they come (a panic in start raises einval here, and its message stays in the
%% mailbox for recv_panic/1).
open(Command) -> open(Command, [binary]).
open(Command, Opts) -> open_port({spawn_driver, Command}, Opts).

%% The next {Port, {data, D}} message, flattened to a binary.
recv_data(Port) -> recv_data(Port, ?TIMEOUT).
recv_data(Port, Timeout) ->
    receive {Port, {data, D}} -> iolist_to_binary(D)
    after Timeout -> error({no_data_from, Port})
    end.

%% The panic message a port sends before it closes, skipping data messages.
recv_panic(Port) ->
    receive
        {Port, {erldrv_panic, Msg}} -> Msg;
        {Port, {data, _}} -> recv_panic(Port)
    after ?TIMEOUT -> error({no_panic_message_from, Port})
    end.

%% The exit reason of Port (the caller must trap exits).
recv_exit(Port) ->
    receive {'EXIT', Port, Reason} -> Reason
    after ?TIMEOUT -> error({no_exit_from, Port})
    end.

%% Asserts that no message matching from Port arrives within Timeout ms.
no_message(Port) ->
    receive {Port, _} = M -> error({unexpected, M})
    after 200 -> ok
    end.

%% Polls Fun until it returns true, for effects that send no message (a callback
%% counter, say); fails after Timeout ms.
wait_until(Fun, Timeout) ->
    Deadline = erlang:monotonic_time(millisecond) + Timeout,
    wait_until_(Fun, Deadline).
wait_until_(Fun, Deadline) ->
    case Fun() of
        true -> ok;
        _ ->
            case erlang:monotonic_time(millisecond) > Deadline of
                true -> error(wait_until_timed_out);
                false -> timer:sleep(5), wait_until_(Fun, Deadline)
            end
    end.

flush() ->
    receive _ -> flush() after 0 -> ok end.
