//! `futures_drv`: futures on the driver's async runtime (erldrv's `tokio` feature).
//! `beam-tests/test/futures_tests.erl` and `futures_unload_tests.erl` drive it.
//!
//! Requests (`erldrv:request(Port, 0, Words)`), by their first word:
//! - `sleep Ms`: a future awaits a `Ms` ms timer and answers `{ok, Ms}`; it counts how many
//!   futures are inside their timer at once.
//! - `pending`: a future that never finishes; only a cancellation ends it.
//! - `panic`: the future panics after a timer. `error Text`: it answers `{error, Text}`.
//! - `thread`: answers the name of the thread the future runs on.
//! - `mark Tag`: the future leaves a thread-local value on its runtime thread whose drop,
//!   the thread's last act, sets the VM environment variable
//!   `FUTURES_DRV_DONE_<Tag>_<thread name>` to `yes` after a deliberately slow clean-up;
//!   answers the thread's name. Since the VM unmaps the library only after `finish`
//!   returns, and `erldrv:unload/1` returns only after that, the variable is set when the
//!   unload returns exactly when `finish` joined the thread (the technique of
//!   `threads_drv`). The future holds its thread for a moment, so that a batch of them
//!   spreads over the runtime's threads.
//! - `fill N`: `N` futures without a caller (`Port::spawn_future`) that never finish;
//!   answers how many were accepted.
//! - `job`: a future without a caller outputs `{job_done, 1}` to the owner after a timer;
//!   `job_panic`: one that panics.
//! - `block Ms`: a future without a caller that tells the owner `{blocking, started}` and
//!   then blocks its runtime thread for `Ms` ms, deaf to cancellation.
//!
//! Every future but `block`'s carries a guard that counts the future's drop if it had not
//! finished: the count of futures dropped by a cancellation.
//!
//! Plain `port_control` words: `stats` (live jobs, futures dropped unfinished, the most
//! futures inside their timer at once, runtime workers), `reset` (zeroes the most-at-once
//! count).
#![forbid(unsafe_code)]

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use erldrv::term::Atom;
use erldrv::{Badarg, Busy, Driver, Port, Reply, StartError, erl_driver, pool, runtime};

static JOB_DONE: Atom = Atom::new("job_done");
static BLOCKING: Atom = Atom::new("blocking");
static STARTED: Atom = Atom::new("started");

/// The words of requests.
const REQUESTS: [&str; 10] = [
    "sleep",
    "pending",
    "panic",
    "error",
    "thread",
    "mark",
    "fill",
    "job",
    "job_panic",
    "block",
];

/// Futures dropped before they finished.
static DROPPED: AtomicUsize = AtomicUsize::new(0);
/// Futures inside their timer now, and the most there were at once.
static IN_TIMER: AtomicUsize = AtomicUsize::new(0);
static MOST_IN_TIMER: AtomicUsize = AtomicUsize::new(0);

/// Counts its future's drop unless the future got to the end.
struct Watch {
    finished: bool,
}

impl Watch {
    fn new() -> Watch {
        Watch { finished: false }
    }

    /// The future got to the end.
    fn finish(mut self) {
        self.finished = true;
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        if !self.finished {
            DROPPED.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// Counts a future inside its timer while it lives.
struct InTimer;

impl InTimer {
    fn enter() -> InTimer {
        let now = IN_TIMER.fetch_add(1, Ordering::SeqCst) + 1;
        MOST_IN_TIMER.fetch_max(now, Ordering::SeqCst);
        InTimer
    }
}

impl Drop for InTimer {
    fn drop(&mut self) {
        IN_TIMER.fetch_sub(1, Ordering::SeqCst);
    }
}

fn deliberate_panic(what: &str) -> Result<(), ()> {
    panic!("deliberate panic in {what}")
}

fn number(word: Option<&str>) -> Result<u64, Badarg> {
    word.and_then(|w| w.parse().ok())
        .ok_or(Badarg::because("expected a number"))
}

/// How long a marked thread's last act takes. Not synchronisation: it makes the window in
/// which a thread would outlive an unload wide enough that a missing join is caught every
/// time, rather than only when the thread happens to be slow.
const CLEAN_UP: Duration = Duration::from_millis(300);
/// How long a `mark` future holds its thread.
const MARK_HOLD: Duration = Duration::from_millis(2);

/// Sets its variable when dropped, as its thread exits.
struct Mark(String);

impl Drop for Mark {
    fn drop(&mut self) {
        std::thread::sleep(CLEAN_UP);
        erldrv::env::set_var(&self.0, "yes");
    }
}

thread_local! {
    static MARK: RefCell<Option<Mark>> = const { RefCell::new(None) };
}

pub struct FuturesDrv;

#[erl_driver(workers = 2, queue = 1500)]
impl Driver for FuturesDrv {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(FuturesDrv)
    }

    fn control(
        &mut self,
        port: &Port,
        _command: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        let text = std::str::from_utf8(data).map_err(|_| Badarg::because("not text"))?;
        let mut words = text.split_whitespace();
        let word = words.next().unwrap_or("");
        // Other words, or a plain port_control: refused (or answered) without a request
        // taken, so that the framework answers the caller from control's result.
        let request = if REQUESTS.contains(&word) {
            port.request()
        } else {
            None
        };
        let Some(request) = request else {
            return plain(word, reply);
        };
        // A future refused as Busy has answered its caller already.
        let _: Result<(), Busy> = match word {
            "sleep" => {
                let ms = number(words.next())?;
                let watch = Watch::new();
                request.spawn_future(async move {
                    let inside = InTimer::enter();
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    drop(inside);
                    watch.finish();
                    Ok::<_, ()>(ms)
                })
            }
            "pending" => {
                let watch = Watch::new();
                request.spawn_future(async move {
                    let _watch = watch;
                    std::future::pending::<Result<(), ()>>().await
                })
            }
            "panic" => request.spawn_future(async {
                tokio::time::sleep(Duration::from_millis(1)).await;
                deliberate_panic("a future")
            }),
            "error" => {
                let reason = words.next().unwrap_or("").to_owned();
                request.spawn_future(async move { Err::<(), _>(reason) })
            }
            "thread" => request.spawn_future(async {
                Ok::<_, ()>(std::thread::current().name().unwrap_or("?").to_owned())
            }),
            "mark" => {
                let tag = words.next().unwrap_or("").to_owned();
                request.spawn_future(async move {
                    let thread = std::thread::current();
                    let name = thread.name().unwrap_or("?").to_owned();
                    MARK.with(|mark| {
                        mark.borrow_mut()
                            .get_or_insert_with(|| Mark(format!("FUTURES_DRV_DONE_{tag}_{name}")));
                    });
                    std::thread::sleep(MARK_HOLD);
                    Ok::<_, ()>(name)
                })
            }
            "fill" => {
                let n = number(words.next())?;
                let accepted = (0..n)
                    .filter(|_| {
                        let watch = Watch::new();
                        port.spawn_future(async move {
                            let _watch = watch;
                            std::future::pending::<()>().await;
                        })
                        .is_ok()
                    })
                    .count() as u64;
                let _ = request.reply::<_, ()>(Ok(&accepted));
                Ok(())
            }
            "job" | "job_panic" => {
                let panics = word == "job_panic";
                let sender = port.sender();
                let started = port.spawn_future(async move {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    if panics {
                        let _ = deliberate_panic("a spawn_future");
                    }
                    let _ = sender.output_term(&(&JOB_DONE, 1));
                });
                let _ = request.reply::<_, ()>(Ok(&started.is_ok()));
                Ok(())
            }
            "block" => {
                let ms = number(words.next())?;
                let sender = port.sender();
                let started = port.spawn_future(async move {
                    let _ = sender.output_term(&(&BLOCKING, &STARTED));
                    std::thread::sleep(Duration::from_millis(ms));
                });
                let _ = request.reply::<_, ()>(Ok(&started.is_ok()));
                Ok(())
            }
            _ => unreachable!("a word of REQUESTS without its arm"),
        };
        Ok(())
    }
}

/// Plain `port_control` words.
fn plain(word: &str, reply: &mut Reply) -> Result<(), Badarg> {
    match word {
        "stats" => reply.extend_from_slice(
            format!(
                "live={} dropped={} most_in_timer={} workers={}",
                pool::live_jobs(),
                DROPPED.load(Ordering::SeqCst),
                MOST_IN_TIMER.load(Ordering::SeqCst),
                runtime::workers(),
            )
            .as_bytes(),
        ),
        "reset" => MOST_IN_TIMER.store(0, Ordering::SeqCst),
        _ => return Err(Badarg::because("unknown command")),
    }
    Ok(())
}
