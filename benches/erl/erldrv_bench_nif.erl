%% The Erlang half of the C NIFs of `cargo xtask bench` (benches/c/c_bench_nif.c): context
%% rows for comparing a driver call with other ways into C code.
-module(erldrv_bench_nif).
-export([load/1, echo/1, dirty_echo/1, job/1, job_ns/1]).

%% Loads the C half; Path is the library's file name without its extension.
load(Path) ->
    erlang:load_nif(Path, 0).

%% The functions below are replaced by the C functions when the library is loaded.

%% Term, returned by a NIF on a normal scheduler.
echo(_Term) ->
    erlang:nif_error(not_loaded).

%% Term, returned by a NIF on a dirty CPU scheduler.
dirty_echo(_Term) ->
    erlang:nif_error(not_loaded).

%% The CPU job of benches/c/bench_job.h on a dirty CPU scheduler, the argument being
%% <<Iterations:32>>: <<Result:64>>.
job(_Arg) ->
    erlang:nif_error(not_loaded).

%% How many nanoseconds the job's loop takes, on a dirty CPU scheduler.
job_ns(_Iterations) ->
    erlang:nif_error(not_loaded).
