// The CPU job of the async bench cases: the loop of benches/c/bench_job.h, step for step
// (xor with a shift, then a multiplication, each step depending on the last), so that the
// erldrv driver does exactly the work the C driver and the NIF do. The bench checks that the
// results agree and reports both loops' times.

/// Where the chain starts, as `BENCH_JOB_SEED`.
const SEED: u64 = 0x9e37_79b9_7f4a_7c15;
/// The multiplier, as `BENCH_JOB_FACTOR`.
const FACTOR: u64 = 0xbf58_476d_1ce4_e5b9;

/// `iterations` steps of the chain from [`SEED`].
#[inline]
pub fn job(iterations: u32) -> u64 {
    let mut x = SEED;
    for _ in 0..iterations {
        x ^= x >> 29;
        x = x.wrapping_mul(FACTOR);
    }
    x
}
