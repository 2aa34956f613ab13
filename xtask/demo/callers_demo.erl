%% Many callers on one port (examples/callers), run by `cargo xtask demo` after the echo and
%% kv sessions: the same CPU job done by 1 and by 16 processes at once, for a fixed time,
%% once through callers:work/2 (requests on the driver's worker pool, each answered to its
%% caller) and once through callers_server:work/2 (one gen_server that calls the driver
%% synchronously). Prints jobs per second as measured here, now; halts with status 1 if a
%% job returns a wrong result.
-module(callers_demo).
-export([run/1]).

%% How long each of the four runs lasts.
-define(RUN_MS, 1000).
%% The size of one job the calibration aims at.
-define(JOB_US, 50).

run(DriverDir) ->
    try
        session(DriverDir)
    catch
        Class:Reason:Stack ->
            io:format(standard_error, "~nThe callers demo failed: ~p:~tp~n~tp~n",
                      [Class, Reason, Stack]),
            halt(1)
    end.

session(Dir) ->
    Schedulers = erlang:system_info(schedulers_online),
    ok = erldrv:load(Dir, "callers_drv", [{workers, Schedulers}]),
    Port = callers:start(),
    {ok, Server} = callers_server:start_link(),
    N = calibrate(Server),
    %% Every job of the runs must return this.
    {ok, Expected} = callers_server:work(Server, N),
    {ok, Expected} = callers:work(Port, N),
    io:format("~nMany callers on one port (examples/callers)~n"
              "  one job: ~b rounds of a 64-bit mix, about ~b us on a scheduler here~n"
              "  ~b schedulers online, ~b pool workers; each run lasts ~b ms~n~n",
              [N, ?JOB_US, Schedulers, Schedulers, ?RUN_MS]),
    io:format("  ~-44s ~12s ~12s ~8s~n", ["", "1 caller", "16 callers", "16 / 1"]),
    Patterns = [{"callers:work/2 (requests on one port)",
                 fun(X) -> callers:work(Port, X) end},
                {"callers_server:work/2 (one gen_server)",
                 fun(X) -> callers_server:work(Server, X) end}],
    [begin
         One = rate(Work, N, Expected, 1),
         Many = rate(Work, N, Expected, 16),
         io:format("  ~-44s ~10b/s ~10b/s ~8.2f~n",
                   [Name, round(One), round(Many), Many / One])
     end || {Name, Work} <- Patterns],
    io:format("~n  Jobs per second as measured just now on this machine, debug build,~n"
              "  so they move with its load; the pool runs at most ~b jobs at once here.~n"
              "  With 1 caller a request also pays two thread wake-ups (scheduler to worker~n"
              "  and back) that the gen_server's synchronous call does not.~n"
              "  cargo xtask bench measures it properly, against hand-written C.~n",
              [Schedulers]),
    callers_server:stop(Server),
    callers:stop(Port),
    ok.

%% The round count of a job of about JOB_US microseconds, run on a scheduler: the cost of
%% a round from the fastest of five batches of jobs, with the cost of an empty job taken
%% off.
calibrate(Server) ->
    Rounds = 4096,
    Empty = fastest(Server, 0),
    Full = fastest(Server, Rounds),
    PerRound = max(Full - Empty, 1.0) / Rounds,
    max(1, round(?JOB_US / PerRound)).

%% Microseconds per job, the fastest of five batches of 50.
fastest(Server, N) ->
    lists:min([begin
                   T0 = erlang:monotonic_time(microsecond),
                   [{ok, _} = callers_server:work(Server, N) || _ <- lists:seq(1, 50)],
                   (erlang:monotonic_time(microsecond) - T0) / 50
               end || _ <- lists:seq(1, 5)]).

%% Jobs per second done by Callers processes, each calling Work(N) in a loop until the
%% run's end; every result is checked.
rate(Work, N, Expected, Callers) ->
    Self = self(),
    Go = make_ref(),
    Pids = [spawn_link(fun() ->
                               receive {Go, Deadline} -> ok end,
                               Self ! {self(), loop(Work, N, Expected, Deadline, 0)}
                       end) || _ <- lists:seq(1, Callers)],
    Start = erlang:monotonic_time(microsecond),
    [Pid ! {Go, Start + ?RUN_MS * 1000} || Pid <- Pids],
    Done = lists:sum([receive {Pid, Count} -> Count end || Pid <- Pids]),
    Elapsed = erlang:monotonic_time(microsecond) - Start,
    Done * 1.0e6 / Elapsed.

loop(Work, N, Expected, Deadline, Done) ->
    case erlang:monotonic_time(microsecond) >= Deadline of
        true ->
            Done;
        false ->
            case Work(N) of
                {ok, Expected} -> loop(Work, N, Expected, Deadline, Done + 1);
                Other -> error({wrong_result, {expected, {ok, Expected}}, {got, Other}})
            end
    end.
