//! `erldrv_async_drv`: the erldrv side of the async `cargo xtask bench` cases. It does what
//! `benches/c/c_async_drv.c` does with `driver_async`, on erldrv's worker pool (its default
//! size): every command is a request (`erldrv:request(Port, Command, Data, Timeout)`) whose
//! work runs on a pool thread, which answers the caller itself.
//!
//! - command 1, `Data` → `{ok, Data}` (the bytes are copied in `control`, sent as a binary);
//! - command 2, `<<Iterations:32>>` → `{ok, <<Result:64>>}`: the CPU job of
//!   `benches/drivers/job.rs`, the loop of `benches/c/bench_job.h`;
//! - command 3, `<<Iterations:32>>` → `{ok, Nanoseconds}`: how long that loop takes on a
//!   worker, timed around the loop alone, so that the bench can show that the Rust loop
//!   takes as long as the C one;
//! - command 4 → `{ok, Workers}`: how many workers the pool runs.
//!
//! Anything else, or a command that is not a request, is refused (`badarg`).

#![forbid(unsafe_code)]

use std::hint::black_box;
use std::time::Instant;

use erldrv::{Badarg, Driver, Port, Reply, StartError, erl_driver, pool};

#[path = "../../job.rs"]
mod job;

/// One bench port; it needs no state.
pub struct AsyncBench;

const ECHO: u32 = 1;
const JOB: u32 = 2;
const JOB_NS: u32 = 3;
const WORKERS: u32 = 4;

/// The work never fails: its error type is `()`, never sent.
type Never = ();

fn iterations(data: &[u8]) -> Result<u32, Badarg> {
    data.try_into().map(u32::from_be_bytes).map_err(|_| Badarg)
}

#[erl_driver(name = "erldrv_async_drv")]
impl Driver for AsyncBench {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(AsyncBench)
    }

    fn control(
        &mut self,
        port: &Port,
        command: u32,
        data: &[u8],
        _reply: &mut Reply,
    ) -> Result<(), Badarg> {
        let request = port.request().ok_or(Badarg)?;
        // Busy (a full queue) has answered the caller `{error, busy}` already.
        let _ = match command {
            ECHO => {
                let data = data.to_vec();
                request.spawn(move |_| Ok::<_, Never>(data))
            }
            JOB => {
                let n = iterations(data)?;
                request.spawn(move |_| Ok::<_, Never>(job::job(n).to_be_bytes()))
            }
            JOB_NS => {
                let n = iterations(data)?;
                request.spawn(move |_| {
                    let start = Instant::now();
                    black_box(job::job(black_box(n)));
                    let ns = start.elapsed().as_nanos();
                    Ok::<_, Never>(u64::try_from(ns).unwrap_or(u64::MAX))
                })
            }
            WORKERS => request.spawn(|_| Ok::<_, Never>(pool::workers())),
            _ => return Err(Badarg),
        };
        Ok(())
    }
}
