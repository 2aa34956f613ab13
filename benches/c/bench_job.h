/*
 * The CPU job of the async throughput cases of `cargo xtask bench`, shared by the C driver
 * (c_async_drv.c) and the NIF (c_bench_nif.c); the erldrv driver has the same loop in Rust
 * (benches/drivers/job.rs), and the bench checks that all three give the same result.
 *
 * A chain of `iterations` dependent steps (xor with a shift, then a multiplication), so that
 * its time is the latency of the chain: no compiler can vectorise it, run steps in parallel,
 * or fold several steps into one (as it could for a plain multiply-add, whose steps compose).
 * The bench picks `iterations` once per run so that one job takes about 50 µs, and sends it
 * with every job, so that every side does exactly the same work.
 */

#ifndef BENCH_JOB_H
#define BENCH_JOB_H

#include <stdint.h>

/* Where the chain starts: any odd number. */
#define BENCH_JOB_SEED UINT64_C(0x9e3779b97f4a7c15)
#define BENCH_JOB_FACTOR UINT64_C(0xbf58476d1ce4e5b9)

static inline uint64_t bench_job(uint32_t iterations)
{
    uint64_t x = BENCH_JOB_SEED;
    uint32_t i;

    for (i = 0; i < iterations; i++) {
        x ^= x >> 29;
        x *= BENCH_JOB_FACTOR;
    }
    return x;
}

#endif
