//! `pool_drv`: the framework's worker pool and requests answered to each caller.
//! `beam-tests/test/pool_tests.erl` drives it through `erldrv:request/3,4` and friends.
//!
//! Requests (`erldrv:request(Port, Command, Data)`), by command:
//! - 1 echo: a job answers `{ok, Data}`.
//! - 2 sleep: a job sleeps `Data` ms (as text), polling its `Cancel` every millisecond;
//!   answers `{ok, Ms}`, or counts the cancellation it saw.
//! - 3 panic: the job panics. 4 error: the job answers `{error, Data}` as an atom.
//! - 5 sync: `control` answers itself through its `Reply`. 6 refuse: `control` refuses.
//! - 7 drop: `control` takes the request and drops it.
//! - 8 ordered: an ordered job appends `Data` to the port's log after a short sleep.
//! - 9 worker: a job answers its thread's name.
//! - 10 gate: a job waits until the gate opens (plain control "open"), or it is cancelled.
//! - 11 job: a `spawn_job` (no caller) outputs `{Port, job_done}` to the owner; 12 the
//!   same, panicking.
//! - 13 async: `Data` jobs on the VM's async pool (`spawn_async`), each a little work.
//! - 14 jobs: `Data` pool jobs (`spawn_job`), each a little work; answers how many were
//!   queued. The jobs of 13 and 14 wait while the hold is on (plain controls `hold` and
//!   `release`), so that a test can close their ports before any but the first could run.
//! - 15 stubborn: a job sleeps `Data` ms ignoring its `Cancel`, then sets the VM environment
//!   variable `POOL_DRV_STUBBORN_DONE`.
//! - 16 watched: a job that watches its caller and runs until cancelled (at most 10 s);
//!   answers whether it was cancelled.
//!
//! `outputv` takes requests from `erldrv:send_command_request/2`: the job answers
//! `{ok, {Bytes, SharedSegments}}`, the segments it got by reference.
//!
//! Plain `port_control` commands (words): `stats` (live jobs, workers, cancellations
//! seen), `log` (the ordered log), `open` (opens the gate), `close_gate`, `hold` and
//! `release` (the hold of commands 13 and 14).
#![forbid(unsafe_code)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use erldrv::term::Atom;
use erldrv::{Badarg, Cancel, Driver, IoVec, JobPanic, Port, Reply, StartError, erl_driver, pool};

static JOB_DONE: Atom = Atom::new("job_done");

/// Cancellations the jobs saw.
static CANCELS_SEEN: AtomicUsize = AtomicUsize::new(0);
/// Async (`spawn_async`) jobs that ran.
static ASYNC_RAN: AtomicUsize = AtomicUsize::new(0);
/// Pool jobs of command 14 that ran.
static POOL_RAN: AtomicUsize = AtomicUsize::new(0);

/// The hold of commands 13 and 14: their jobs wait while it is on.
static HOLD: AtomicBool = AtomicBool::new(false);

/// Waits while the hold is on (at most 10 s, so that a test that forgets to release it
/// fails on its assertions rather than hangs).
fn wait_for_release() {
    for _ in 0..50_000 {
        if !HOLD.load(Ordering::SeqCst) {
            return;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// The gate of command 10.
static GATE: Mutex<bool> = Mutex::new(false);
static GATE_OPENED: Condvar = Condvar::new();

/// Waits `ms` milliseconds, or until cancelled: whether it was cancelled.
fn sleep_or_cancel(ms: u64, cancel: &Cancel) -> bool {
    for _ in 0..ms {
        if cancel.is_cancelled() {
            CANCELS_SEEN.fetch_add(1, Ordering::SeqCst);
            return true;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    false
}

fn number(data: &[u8]) -> Result<u64, Badarg> {
    std::str::from_utf8(data)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .ok_or(Badarg::because("expected a number"))
}

pub struct PoolDrv {
    /// The ordered jobs' log, shared with them.
    log: Arc<Mutex<Vec<u8>>>,
}

#[erl_driver(workers = 2, queue = 2000, watch_callers)]
impl Driver for PoolDrv {
    type Async = ();

    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(PoolDrv {
            log: Arc::default(),
        })
    }

    fn control(
        &mut self,
        port: &Port,
        command: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        match command {
            // Answered by control itself: through its reply, or by refusing.
            5 => {
                reply.extend_from_slice(b"sync:");
                reply.extend_from_slice(data);
                return Ok(());
            }
            6 => return Err(Badarg::because("refused by control")),
            // Refused before the request is taken: the caller gets the reason.
            c if c > 16 => return Err(Badarg::because("unknown request")),
            _ => {}
        }
        let Some(request) = port.request() else {
            return self.plain(data, reply);
        };
        let busy = match command {
            1 => {
                let data = data.to_vec();
                request.spawn(move |_| Ok::<_, ()>(data))
            }
            2 => {
                let ms = number(data)?;
                request.spawn(move |cancel| {
                    sleep_or_cancel(ms, cancel);
                    Ok::<_, ()>(ms)
                })
            }
            3 => request.spawn(|_| -> Result<(), ()> { panic!("deliberate panic in a job") }),
            4 => {
                let reason = String::from_utf8_lossy(data).into_owned();
                request.spawn(move |_| Err::<(), _>(reason))
            }
            7 => {
                drop(request);
                return Ok(());
            }
            8 => {
                let (log, byte) = (self.log.clone(), data.first().copied().unwrap_or(0));
                request.spawn_ordered(move |_| {
                    // Uneven work, so that unordered jobs would finish out of order.
                    std::thread::sleep(Duration::from_micros(u64::from(byte % 7) * 100));
                    log.lock().unwrap().push(byte);
                    Ok::<_, ()>(())
                })
            }
            9 => request
                .spawn(|_| Ok::<_, ()>(std::thread::current().name().unwrap_or("?").to_owned())),
            10 => request.spawn(|cancel| {
                let mut open = GATE.lock().unwrap();
                while !*open {
                    if cancel.is_cancelled() {
                        CANCELS_SEEN.fetch_add(1, Ordering::SeqCst);
                        return Err("cancelled");
                    }
                    open = GATE_OPENED
                        .wait_timeout(open, Duration::from_millis(1))
                        .unwrap()
                        .0;
                }
                Ok("passed")
            }),
            11 | 12 => {
                let sender = port.sender();
                let panics = command == 12;
                let queued = port.spawn_job(move |_| {
                    if panics {
                        panic!("deliberate panic in a spawn_job");
                    }
                    let _ = sender.output_term(&(&JOB_DONE, 1));
                });
                let _ = request.reply::<_, ()>(Ok(&queued.is_ok()));
                Ok(())
            }
            13 => {
                let n = number(data)?;
                for i in 0..n {
                    self.spawn_async(port, move || {
                        wait_for_release();
                        ASYNC_RAN.fetch_add(1, Ordering::Relaxed);
                        std::hint::black_box((0..200u64).fold(i, |a, b| a.wrapping_mul(31) ^ b));
                    });
                }
                let _ = request.reply::<_, ()>(Ok(&n));
                Ok(())
            }
            14 => {
                let n = number(data)?;
                let mut queued = 0u64;
                for i in 0..n {
                    let ok = port.spawn_job(move |_| {
                        wait_for_release();
                        POOL_RAN.fetch_add(1, Ordering::Relaxed);
                        std::hint::black_box((0..200u64).fold(i, |a, b| a.wrapping_mul(31) ^ b));
                    });
                    queued += u64::from(ok.is_ok());
                }
                let _ = request.reply::<_, ()>(Ok(&queued));
                Ok(())
            }
            15 => {
                let ms = number(data)?;
                request.spawn(move |_| {
                    // Ignores its Cancel: keeps an unload waiting.
                    std::thread::sleep(Duration::from_millis(ms));
                    erldrv::env::set_var("POOL_DRV_STUBBORN_DONE", "yes");
                    Ok::<_, ()>(ms)
                })
            }
            16 => {
                // Watched: runs until its caller exits (or 10 s).
                request.watch_caller(port);
                request.spawn(|cancel| {
                    let cancelled = sleep_or_cancel(10_000, cancel);
                    Ok::<_, ()>(cancelled)
                })
            }
            _ => {
                drop(request);
                return Ok(());
            }
        };
        let _ = busy;
        Ok(())
    }

    fn outputv(&mut self, port: &Port, data: IoVec<'_>) {
        let Ok((request, payload)) = port.request_in(&data) else {
            port.output(b"not a request");
            return;
        };
        let _ = request
            .spawn(move |_| Ok::<_, ()>((payload.len() as u64, payload.shared_len() as u64)));
    }

    fn ready_async(&mut self, _port: &Port, _result: Result<(), JobPanic>) {}
}

impl PoolDrv {
    /// Plain `port_control` commands, and the requests `control` answers itself.
    fn plain(&mut self, data: &[u8], reply: &mut Reply) -> Result<(), Badarg> {
        match data {
            b"stats" => reply.extend_from_slice(
                format!(
                    "live={} workers={} cancels={} async_ran={} pool_ran={}",
                    pool::live_jobs(),
                    pool::workers(),
                    CANCELS_SEEN.load(Ordering::SeqCst),
                    ASYNC_RAN.load(Ordering::SeqCst),
                    POOL_RAN.load(Ordering::SeqCst),
                )
                .as_bytes(),
            ),
            b"log" => reply.extend_from_slice(&self.log.lock().unwrap()),
            b"open" => {
                *GATE.lock().unwrap() = true;
                GATE_OPENED.notify_all();
            }
            b"close_gate" => *GATE.lock().unwrap() = false,
            b"hold" => HOLD.store(true, Ordering::SeqCst),
            b"release" => HOLD.store(false, Ordering::SeqCst),
            _ => return Err(Badarg::because("unknown command")),
        }
        Ok(())
    }
}
