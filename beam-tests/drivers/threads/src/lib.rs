//! `threads_drv`: starts threads that keep running after their port has closed, so that
//! only the driver's unload can end them. `beam-tests/test/threads_tests.erl` checks that
//! each has stopped and been joined before the unload completes.
//!
//! Each worker thread, once stopped, takes a while to clean up and then, as its very last
//! act, sets the VM environment variable `THREADS_DRV_DONE_<tag>` to `yes`. Since the VM
//! unmaps the library only after `finish` returns, and `erl_ddll:unload_driver/1` returns
//! only after that, the variable is set when the unload returns exactly when `finish` waited
//! for the thread.
//!
//! control commands (data: the tag, where there is one; reply as noted):
//! - `SPAWN`: an `erldrv::thread::spawn` worker, left for the framework to stop and join.
//! - `SPAWN_STD`: a plain `std::thread` worker, stopped and joined by this driver's `finish`
//!   (the pattern the `erldrv::thread` docs describe).
//! - `STUBBORN`: a thread that ignores its stop token for `STUBBORN_FOR`, so that `finish`
//!   has to wait for it, and says so on standard error.
//! - `PANICKY`: a thread that panics at once; its panic must not disturb the unload.
//! - `JOIN`: a worker stopped and joined through its handle, inside the call; replies
//!   `joined`.
//! - `INITS`: how many times `init` has run in this copy of the library.
//!
//! The spawning commands reply `running` once the thread is in its loop.

#![forbid(unsafe_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use erldrv::{Badarg, Driver, InitError, Port, Reply, StartError, erl_driver};

const SPAWN: u32 = 0;
const SPAWN_STD: u32 = 1;
const STUBBORN: u32 = 2;
const PANICKY: u32 = 3;
const JOIN: u32 = 4;
const INITS: u32 = 5;

/// How long a worker waits between two rounds of its loop.
const TICK: Duration = Duration::from_millis(5);
/// How long a stopped worker takes to clean up before its last act. Not synchronisation:
/// it makes the window in which a thread outlives an unload wide enough that a missing
/// join is caught every time, rather than only when the thread happens to be slow.
const CLEAN_UP: Duration = Duration::from_millis(300);
/// How long the stubborn thread ignores its token: longer than the 2 s after which a
/// waiting `finish` reports the thread.
const STUBBORN_FOR: Duration = Duration::from_millis(2500);
/// How long a spawning command waits for the thread to report that it runs.
const START_TIMEOUT: Duration = Duration::from_secs(5);

static INIT_COUNT: AtomicU64 = AtomicU64::new(0);

/// The plain std worker and the sender whose drop stops it.
static STD_WORKER: Mutex<Option<(Sender<()>, JoinHandle<()>)>> = Mutex::new(None);

/// The worker loop: runs until `stopped(TICK)` says so, cleans up, then sets the variable.
fn work(tag: &str, running: Sender<()>, mut stopped: impl FnMut(Duration) -> bool) {
    let _ = running.send(());
    while !stopped(TICK) {}
    std::thread::sleep(CLEAN_UP);
    erldrv::env::set_var(&format!("THREADS_DRV_DONE_{tag}"), "yes");
}

fn tag(data: &[u8]) -> Result<String, Badarg> {
    let tag = std::str::from_utf8(data).map_err(|_| Badarg)?;
    if tag.is_empty() || !tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(Badarg);
    }
    Ok(tag.to_owned())
}

/// Waits until a new thread has sent its "running" signal.
fn wait_running(running: mpsc::Receiver<()>, reply: &mut Reply) -> Result<(), Badarg> {
    running.recv_timeout(START_TIMEOUT).map_err(|_| Badarg)?;
    reply.extend_from_slice(b"running");
    Ok(())
}

/// The state of a port: none; the threads outlive their ports.
pub struct Threads;

#[erl_driver]
impl Driver for Threads {
    fn init() -> Result<(), InitError> {
        INIT_COUNT.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    fn finish() {
        // Take the worker out, so that the statics are as `init` expects should this same
        // copy of the library be loaded again.
        let worker = STD_WORKER
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some((stop, handle)) = worker {
            drop(stop);
            let _ = handle.join();
        }
    }

    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Threads)
    }

    fn control(
        &mut self,
        _port: &Port,
        command: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        let (running, is_running) = mpsc::channel();
        match command {
            SPAWN => {
                let tag = tag(data)?;
                // The handle is dropped: the framework stops and joins the thread at unload.
                erldrv::thread::spawn(format!("worker {tag}"), move |stop| {
                    work(&tag, running, |t| stop.wait_timeout(t))
                })
                .map_err(|_| Badarg)?;
                wait_running(is_running, reply)
            }
            SPAWN_STD => {
                let tag = tag(data)?;
                let mut slot = STD_WORKER.lock().unwrap_or_else(PoisonError::into_inner);
                if slot.is_some() {
                    return Err(Badarg);
                }
                let (stop, stopped) = mpsc::channel::<()>();
                let handle = std::thread::Builder::new()
                    .name(format!("std worker {tag}"))
                    .spawn(move || {
                        work(&tag, running, |t| {
                            !matches!(stopped.recv_timeout(t), Err(RecvTimeoutError::Timeout))
                        })
                    })
                    .map_err(|_| Badarg)?;
                *slot = Some((stop, handle));
                drop(slot);
                wait_running(is_running, reply)
            }
            STUBBORN => {
                let tag = tag(data)?;
                erldrv::thread::spawn("stubborn", move |_stop| {
                    work(&tag, running, |_| {
                        // Ignores the token: ends on its own once the time is up.
                        std::thread::sleep(STUBBORN_FOR);
                        true
                    })
                })
                .map_err(|_| Badarg)?;
                wait_running(is_running, reply)
            }
            PANICKY => {
                erldrv::thread::spawn("panicky", move |_stop| {
                    let _ = running.send(());
                    panic!("deliberate panic in a driver thread");
                })
                .map_err(|_| Badarg)?;
                wait_running(is_running, reply)
            }
            JOIN => {
                let tag = tag(data)?;
                let worker = erldrv::thread::spawn(format!("joined {tag}"), move |stop| {
                    work(&tag, running, |t| stop.wait_timeout(t))
                })
                .map_err(|_| Badarg)?;
                is_running.recv_timeout(START_TIMEOUT).map_err(|_| Badarg)?;
                worker.stop_and_join().map_err(|_| Badarg)?;
                reply.extend_from_slice(b"joined");
                Ok(())
            }
            INITS => {
                let n = INIT_COUNT.load(Ordering::SeqCst);
                reply.extend_from_slice(n.to_string().as_bytes());
                Ok(())
            }
            _ => Err(Badarg),
        }
    }
}
