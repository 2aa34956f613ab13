/*
 * c_bench_nif: a context row of `cargo xtask bench`, the cheapest way from Erlang into C.
 *
 *   erldrv_bench_nif:echo(Term) -> Term
 *
 * The reply is the argument itself: no copy, no allocation. The Erlang half of the module is
 * benches/erl/erldrv_bench_nif.erl, which loads this library with erlang:load_nif/2.
 *
 * xtask compiles it with `cc -O2 -fPIC -shared` against the installed erl_nif.h.
 */

#include <erl_nif.h>

static ERL_NIF_TERM echo(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)env;
    (void)argc;
    return argv[0];
}

static ErlNifFunc bench_nif_funcs[] = {
    {"echo", 1, echo, 0},
};

ERL_NIF_INIT(erldrv_bench_nif, bench_nif_funcs, NULL, NULL, NULL, NULL)
