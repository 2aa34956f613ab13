//! `callers_drv`: many callers on one port, each answered directly.
//!
//! One command, [`WORK`], whose data is a round count `N` as 8 bytes, big-endian. The job is
//! [`rounds`]: `N` steps of a 64-bit mixing function, a stand-in for any CPU-bound work that
//! depends on nothing but its input. How the driver runs it depends on how it is asked:
//!
//! - **As a request** (`erldrv:request(Port, 1, <<N:64>>)`, what `callers:work/2` sends),
//!   `control` hands the job to the driver's worker pool and returns at once; the worker
//!   sends the result straight to the caller, `{ok, Result}`. The port is free for the next
//!   caller meanwhile, so many callers' jobs run at once, one per worker, and nobody's call
//!   waits for anyone else's. A job stops early when its caller gives up (the `Cancel`).
//! - **As a plain `port_control(Port, 1, <<N:64>>)`**, `control` runs the job itself, on the
//!   scheduler thread that called, and replies with the result as 8 bytes. One job at a time
//!   per port, and that scheduler runs no Erlang code meanwhile: the synchronous driver,
//!   kept for comparison (`callers_server` serves its calls this way). More than
//!   [`SCHEDULER_LIMIT`] rounds are refused there.
//!
//! `N = 2^64 - 1` ([`PANICS`]) makes the job panic, a stand-in for a bug: its caller alone
//! gets `{error, {erldrv_panic, Message}}`, and the port goes on.
#![forbid(unsafe_code)]

use erldrv::term::Atom;
use erldrv::{Badarg, Cancel, Driver, Port, Reply, StartError, erl_driver};

/// The one command: run the job.
pub const WORK: u32 = 1;

/// The round count whose job panics.
pub const PANICS: u64 = u64::MAX;

/// The most rounds a plain `port_control` runs on a scheduler (tens of milliseconds):
/// longer work belongs on the pool.
pub const SCHEDULER_LIMIT: u64 = 1 << 24;

/// Rounds a job runs between two looks at its [`Cancel`].
const CHECK_EVERY: u64 = 4096;

/// What a cancelled job returns; nobody receives it (the caller has given up).
static CANCELLED: Atom = Atom::new("cancelled");

/// One round: a 64-bit mix (add a constant, then xor-shift and multiply twice). Each round
/// needs the one before, so the rounds cannot run in parallel or be skipped.
#[inline]
pub fn step(x: u64) -> u64 {
    let z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `n` rounds of [`step`], starting from `n` itself. `stop` is asked every few thousand
/// rounds; `None` when it said to stop.
pub fn rounds(n: u64, mut stop: impl FnMut() -> bool) -> Option<u64> {
    let (mut x, mut left) = (n, n);
    while left > 0 {
        let chunk = left.min(CHECK_EVERY);
        for _ in 0..chunk {
            x = step(x);
        }
        left -= chunk;
        if left > 0 && stop() {
            return None;
        }
    }
    Some(x)
}

/// The job of a request, run by a pool worker.
fn job(n: u64, cancel: &Cancel) -> Result<u64, &'static Atom> {
    if n == PANICS {
        panic!("callers_drv: the job for N = 2^64 - 1 panics on purpose");
    }
    rounds(n, || cancel.is_cancelled()).ok_or(&CANCELLED)
}

/// The round count in a command's data.
fn round_count(data: &[u8]) -> Result<u64, Badarg> {
    let bytes: [u8; 8] = data
        .try_into()
        .map_err(|_| Badarg::because("expected the round count N as <<N:64>>"))?;
    Ok(u64::from_be_bytes(bytes))
}

/// A port: all its state is in its requests.
pub struct Callers;

#[erl_driver(name = "callers_drv")]
impl Driver for Callers {
    fn start(port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        // The plain control's result comes back as a binary, <<Result:64>>.
        port.set_control_binary(true);
        Ok(Callers)
    }

    fn control(
        &mut self,
        port: &Port,
        command: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        if command != WORK {
            return Err(Badarg::because(format!(
                "unknown command {command}, expected {WORK}"
            )));
        }
        let n = round_count(data)?;
        match port.request() {
            // The job goes to the pool; its worker answers the caller. When the queue is
            // full, spawn has answered {error, busy} already: nothing more to do here.
            Some(request) => {
                let _ = request.spawn(move |cancel| job(n, cancel));
            }
            // A plain port_control: the job runs here, on the scheduler.
            None => {
                if n > SCHEDULER_LIMIT {
                    return Err(Badarg::because(format!(
                        "{n} rounds is too much work for a scheduler (at most \
                         {SCHEDULER_LIMIT}); send it as a request"
                    )));
                }
                let result = rounds(n, || false).unwrap_or_default();
                reply.extend_from_slice(&result.to_be_bytes());
            }
        }
        Ok(())
    }
}
