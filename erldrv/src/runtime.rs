//! Futures as jobs (feature `tokio`): an async runtime the driver owns, for the Rust
//! libraries that are `async` (database and HTTP clients, say).
//!
//! [`Request::spawn_future`](crate::Request::spawn_future) runs a future that answers its
//! caller as [`Request::spawn`](crate::Request::spawn) does;
//! [`Port::spawn_future`](crate::Port::spawn_future) runs one that answers nobody. While a future waits (for a timer, a socket, a lock), it
//! holds no thread: a few runtime threads serve thousands of waiting futures, where the
//! [worker pool](crate::pool) would need a thread for each.
//!
//! ```no_run
//! use erldrv::{Badarg, Driver, Port, Reply, StartError, erl_driver};
//!
//! struct Lookup;
//!
//! /// Stands for a call of an async client library.
//! async fn fetch(key: Vec<u8>) -> Result<u64, String> {
//!     Ok(key.len() as u64)
//! }
//!
//! #[erl_driver(name = "lookup_drv")]
//! impl Driver for Lookup {
//!     fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
//!         Ok(Lookup)
//!     }
//!
//!     // Erlang: {ok, N} = erldrv:request(Port, 0, Key).
//!     fn control(&mut self, port: &Port, _cmd: u32, data: &[u8], _r: &mut Reply) -> Result<(), Badarg> {
//!         let request = port.request().ok_or(Badarg::because("call with erldrv:request/3"))?;
//!         let key = data.to_vec();
//!         // {ok, N} or {error, Reason} to the caller, when the future is done.
//!         let _ = request.spawn_future(async move { fetch(key).await });
//!         Ok(())
//!     }
//! }
//! ```
//!
//! # The runtime
//! A multi-thread [Tokio](https://tokio.rs) runtime, started with the driver's first future
//! (a driver that never spawns one has no runtime threads), with as many worker threads,
//! named `erldrv-tokio-N`, as the [worker pool](crate::pool) has workers: the same setting
//! (`#[erl_driver(workers = N)]`, or `ERLDRV_WORKERS_<driver name>` at load time, else one
//! per scheduler). Every driver Tokio was built with is enabled: timers when the driver's
//! own `tokio` dependency turns on `time`, I/O when it turns on `net`. Inside a future,
//! `tokio::spawn`, `tokio::time` and the rest work as in any Tokio program; but only the
//! futures started through erldrv belong to a port, are counted in
//! [`live_jobs`](crate::pool::live_jobs) and are aborted when their port closes.
//!
//! # Cancellation
//! A future is dropped, wherever it waits, when its port closes, and a request's future
//! also when its caller gives up (`erldrv:await/2` timed out and cancelled the request).
//! There is no [`Cancel`](crate::Cancel) to poll: the runtime stops polling the future and
//! drops it (one that is being polled right then, when that poll returns). Code after an
//! `.await` may therefore never run; clean up in `Drop`.
//!
//! # Panics
//! A panic in a request's future answers `{error, {erldrv_panic, Message}}` to its caller;
//! in a future of [`Port::spawn_future`](crate::Port::spawn_future), the port's owner receives
//! `{Port, {erldrv_job_panic, Message}}`. Either way the port stays open and the future is
//! dropped.
//!
//! # Backpressure
//! At most as many futures as the pool's queue bound (`#[erl_driver(queue = N)]`, 4096 by
//! default, `ERLDRV_QUEUE_<driver name>` at load time) are alive at once, across all ports
//! of the driver. They are counted apart from the pool's queue: a future does not wait for
//! a pool worker, nor a pool job for the runtime, so neither kind can starve the other.
//! Past the bound a new future is refused with [`Busy`]; a request's caller is answered
//! `{error, busy}` at once.
//!
//! # Unloading
//! By `finish` every port has closed and every future is aborted. The framework's `finish`
//! shuts the runtime down: futures still held are dropped, and its threads are joined,
//! waiting at most [`UNLOAD_WAIT`](crate::pool::UNLOAD_WAIT) (together with the worker
//! pool). A thread that is still busy then (a future that blocks its thread rather than
//! awaiting, or a `spawn_blocking` task that does not return) cannot be stopped: erldrv
//! says so on standard error and keeps the library mapped for the life of the VM, as the
//! pool does. The next load of the driver starts a new runtime with its first future.

use core::ffi::CStr;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use tokio::runtime::{Builder, Handle, Runtime};

use crate::panic::{Panic, catch, drop_quietly, report};
use crate::pool::{self, Busy, LiveJob, PortLife, RequestState, keep_mapped};

/// The runtime of this load of the driver.
enum State {
    /// Not started yet.
    Idle,
    Running(Running),
    /// Shut down by `finish`: nothing starts it again until the driver is loaded again.
    Stopped,
}

struct Running {
    runtime: Runtime,
    workers: usize,
    /// At most this many futures alive at once.
    capacity: usize,
}

static STATE: Mutex<State> = Mutex::new(State::Idle);

/// Futures alive (spawned, not yet dropped), held against the capacity.
static ALIVE: AtomicUsize = AtomicUsize::new(0);

fn lock() -> MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The number of worker threads of the driver's runtime: 0 before its first future and
/// after `finish`.
pub fn workers() -> usize {
    match &*lock() {
        State::Running(r) => r.workers,
        State::Idle | State::Stopped => 0,
    }
}

/// Called by `driver_init`: this load may start a runtime. (A reload can find the statics
/// of the previous load: the C library may keep the file mapped.)
pub(crate) fn reset() {
    let mut state = lock();
    if matches!(*state, State::Stopped) {
        *state = State::Idle;
    }
}

/// The runtime's handle and capacity, started if needed; `None` after `finish`, or when no
/// thread could be started.
fn started() -> Option<(Handle, usize)> {
    let mut state = lock();
    match &*state {
        State::Running(r) => return Some((r.runtime.handle().clone(), r.capacity)),
        State::Stopped => return None,
        State::Idle => {}
    }
    let (workers, capacity) = pool::settings();
    let next = AtomicUsize::new(0);
    let built = catch(|| {
        Builder::new_multi_thread()
            .worker_threads(workers)
            .thread_name_fn(move || {
                format!("erldrv-tokio-{}", next.fetch_add(1, Ordering::Relaxed))
            })
            .enable_all()
            .build()
    });
    // Tokio panics when the system refuses it a thread.
    let runtime = built.ok()?.ok()?;
    let handle = runtime.handle().clone();
    *state = State::Running(Running {
        runtime,
        workers,
        capacity,
    });
    Some((handle, capacity))
}

/// Counts one future for as long as it exists: in [`live_jobs`](pool::live_jobs), and
/// against the capacity.
struct Alive(LiveJob);

impl Drop for Alive {
    fn drop(&mut self) {
        ALIVE.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Room for one future on the runtime, taken before the future is handed over, so that a
/// refusal can still answer the caller.
pub(crate) struct Reservation {
    handle: Handle,
    alive: Alive,
}

/// Room for one more future, starting the runtime if needed.
///
/// # Errors
/// [`Busy`]: as many futures as the capacity are alive, the runtime has been shut down,
/// or it could not start.
pub(crate) fn reserve() -> Result<Reservation, Busy> {
    let (handle, capacity) = started().ok_or(Busy)?;
    if ALIVE.fetch_add(1, Ordering::Relaxed) >= capacity {
        ALIVE.fetch_sub(1, Ordering::Relaxed);
        return Err(Busy);
    }
    Ok(Reservation {
        handle,
        alive: Alive(LiveJob::new()),
    })
}

impl Reservation {
    /// Runs `future` on the runtime as a future of `port` (and of `request`, if any), then
    /// `done` with its output or its panic. When the port has closed, neither runs.
    pub(crate) fn spawn<F, D>(
        self,
        port: &Arc<PortLife>,
        request: Option<&RequestState>,
        future: F,
        done: D,
    ) where
        F: Future + Send + 'static,
        D: FnOnce(Result<F::Output, Panic>) + Send + Unpin + 'static,
    {
        let Some((id, slot)) = port.add_future() else {
            drop_quietly(future);
            drop_quietly(done);
            return;
        };
        if let Some(request) = request {
            request.attach(slot.clone());
        }
        let task = Task {
            future: Guarded(Some(Box::pin(future))),
            done: Some(done),
            _registered: Registered {
                port: port.clone(),
                id,
                _alive: self.alive,
            },
        };
        slot.set(self.handle.spawn(task).abort_handle());
    }
}

/// A future whose panics are caught: polled after one, or dropped, it drops the inner
/// future without letting a panic of its `Drop` escape.
struct Guarded<F>(Option<Pin<Box<F>>>);

impl<F: Future> Future for Guarded<F> {
    type Output = Result<F::Output, Panic>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Some(future) = self.0.as_mut() else {
            // Polled again after it was ready: `Task` never does that.
            return Poll::Pending;
        };
        let outcome = match catch(|| future.as_mut().poll(cx)) {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(value)) => Ok(value),
            Err(panic) => Err(panic),
        };
        drop_quietly(self.0.take());
        Poll::Ready(outcome)
    }
}

impl<F> Drop for Guarded<F> {
    fn drop(&mut self) {
        if let Some(future) = self.0.take() {
            drop_quietly(future);
        }
    }
}

/// What the runtime runs: the guarded future, then `done`. Its fields drop in order: the
/// future, then `done` (a request unanswered), then the registration, so that a future
/// stops counting as live only once it is gone.
struct Task<F, D> {
    future: Guarded<F>,
    done: Option<D>,
    _registered: Registered,
}

impl<F, D> Future for Task<F, D>
where
    F: Future,
    D: FnOnce(Result<F::Output, Panic>) + Unpin,
{
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let outcome = ready!(Pin::new(&mut this.future).poll(cx));
        if let Some(done) = this.done.take() {
            // Writes the reply: the value's `ToTerm` and `Drop` are the driver's code.
            let _ = catch(move || done(outcome));
        }
        Poll::Ready(())
    }
}

/// A future's entry in its port's set, removed when the future is dropped.
struct Registered {
    port: Arc<PortLife>,
    id: u64,
    _alive: Alive,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.port.remove_future(self.id);
    }
}

/// Called by the `finish` trampoline: drops the futures left and joins the runtime's
/// threads, waiting until `deadline` (see the [module docs](self)).
pub(crate) fn shutdown(driver: &CStr, deadline: Instant) {
    let running = match core::mem::replace(&mut *lock(), State::Stopped) {
        State::Running(r) => r,
        State::Idle | State::Stopped => return,
    };
    let wait = deadline.saturating_duration_since(Instant::now());
    let began = Instant::now();
    // Tokio joins every thread of the runtime (workers and blocking pool) before it
    // returns, if all of them end within `wait`; otherwise it returns when `wait` is over
    // and leaves them running. So it returned early exactly when it joined them all.
    running.runtime.shutdown_timeout(wait);
    if began.elapsed() < wait {
        return;
    }
    report(format_args!(
        "erldrv: driver {driver:?} is being unloaded, but a thread of its async runtime is \
         still busy after {} ms (a future that blocks its thread, or a spawn_blocking task); \
         the library stays mapped for the life of the VM so that the thread cannot crash it",
        pool::unload_wait(driver).as_millis()
    ));
    keep_mapped();
}
