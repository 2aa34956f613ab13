%% The Erlang half of a C NIF that returns its argument (benches/c/c_bench_nif.c): a context
%% row of `cargo xtask bench`, for comparing a driver call with the cheapest call into C.
-module(erldrv_bench_nif).
-export([load/1, echo/1]).

%% Loads the C half; Path is the library's file name without its extension.
load(Path) ->
    erlang:load_nif(Path, 0).

%% Replaced by the C function when the library is loaded.
echo(_Term) ->
    erlang:nif_error(not_loaded).
