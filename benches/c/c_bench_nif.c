/*
 * c_bench_nif: context rows of `cargo xtask bench`, C code called as NIFs.
 *
 *   erldrv_bench_nif:echo(Term) -> Term
 *       the cheapest way from Erlang into C: the reply is the argument itself, no copy,
 *       no allocation;
 *   erldrv_bench_nif:dirty_echo(Term) -> Term
 *       the same on a dirty CPU scheduler: the cheapest way to run C code off the normal
 *       schedulers and come back;
 *   erldrv_bench_nif:job(<<Iterations:32>>) -> <<Result:64>>
 *       the CPU job of bench_job.h, on a dirty CPU scheduler (what the async drivers run
 *       on their threads, taking the argument they take);
 *   erldrv_bench_nif:job_ns(Iterations) -> Nanoseconds
 *       how long the job takes, timed around the loop alone (CLOCK_MONOTONIC), on a dirty
 *       CPU scheduler: the bench calibrates the job's size with it.
 *
 * The Erlang half of the module is benches/erl/erldrv_bench_nif.erl, which loads this
 * library with erlang:load_nif/2.
 *
 * xtask compiles it with `cc -O2 -fPIC -shared` against the installed erl_nif.h.
 */

#include <stdint.h>
#include <time.h>

#include <erl_nif.h>

#include "bench_job.h"

static ERL_NIF_TERM echo(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)env;
    (void)argc;
    return argv[0];
}

static ERL_NIF_TERM job(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    ErlNifBinary arg;
    uint32_t iterations;
    uint64_t result;
    ERL_NIF_TERM bin;
    unsigned char *out;
    int i;

    (void)argc;
    if (!enif_inspect_binary(env, argv[0], &arg) || arg.size != 4)
        return enif_make_badarg(env);
    iterations = (uint32_t)arg.data[0] << 24 | (uint32_t)arg.data[1] << 16 |
                 (uint32_t)arg.data[2] << 8 | (uint32_t)arg.data[3];
    result = bench_job(iterations);
    out = enif_make_new_binary(env, 8, &bin);
    for (i = 0; i < 8; i++)
        out[i] = (unsigned char)(result >> (56 - 8 * i));
    return bin;
}

static ERL_NIF_TERM job_ns(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    unsigned int iterations;
    struct timespec t0, t1;
    volatile uint64_t sink;
    int64_t ns;

    (void)argc;
    if (!enif_get_uint(env, argv[0], &iterations))
        return enif_make_badarg(env);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sink = bench_job(iterations);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    (void)sink;
    ns = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000000000 + (t1.tv_nsec - t0.tv_nsec);
    return enif_make_int64(env, ns);
}

static ErlNifFunc bench_nif_funcs[] = {
    {"echo", 1, echo, 0},
    {"dirty_echo", 1, echo, ERL_NIF_DIRTY_JOB_CPU_BOUND},
    {"job", 1, job, ERL_NIF_DIRTY_JOB_CPU_BOUND},
    {"job_ns", 1, job_ns, ERL_NIF_DIRTY_JOB_CPU_BOUND},
};

ERL_NIF_INIT(erldrv_bench_nif, bench_nif_funcs, NULL, NULL, NULL, NULL)
