//! Threads that never outlive the driver.
//!
//! A driver is a shared library, and unloading it unmaps its code. A thread the driver
//! started and that is still running at that point executes code that is no longer there:
//! the VM crashes, or worse. (On glibc it often goes unnoticed, because a library whose code
//! has touched thread-local storage with a destructor is kept mapped; that is an accident of
//! the C library, not something to rely on.) So every thread a driver starts must have
//! stopped, and been joined, before `finish` returns to the VM.
//!
//! [`spawn`] starts a named thread and keeps it in a driver-wide list. Its closure receives
//! a [`StopToken`]; a worker loop waits on it instead of sleeping, so that it wakes at once
//! when asked to stop:
//!
//! ```no_run
//! use std::time::Duration;
//!
//! # fn poll_the_device() {}
//! let worker = erldrv::thread::spawn("poller", |stop| {
//!     // Work every 100 ms until the driver is unloaded (or `worker.stop()`).
//!     while !stop.wait_timeout(Duration::from_millis(100)) {
//!         poll_the_device();
//!     }
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # At unload
//! When the VM unloads the driver, the framework's `finish` first runs
//! [`Driver::finish`](crate::Driver::finish), then stops every thread started here that is
//! still in the list (their tokens report stopped and wake their waits) and joins them all.
//! Only then does it return to the VM, which unmaps the library. A thread spawned while this
//! happens (by another driver thread) starts with its token already stopped, and is joined
//! too.
//!
//! A thread that does not stop keeps `finish` waiting: the driver cannot be unmapped under
//! a running thread, so there is no safe way to give up. Every 2 seconds of waiting,
//! `finish` writes a line naming the driver and the thread to the VM's standard error.
//! Meanwhile the scheduler thread running `finish` does nothing else, and so does
//! `erl_ddll:unload_driver/1` in its caller. Threads must therefore check their token often,
//! and not block on anything that only Erlang code could release.
//!
//! A panic in such a thread ends that thread only (the panic hook prints it as usual);
//! [`JoinHandle::join`] returns it as `Err`, and `finish` ignores it.
//!
//! # The VM's threads
//! [`drv_thread`](crate::drv_thread) starts threads with `erl_drv_thread_create` instead of
//! `std`; they are in the same list, get a [`StopToken`] too, and are joined the same way
//! at unload (with `erl_drv_thread_join`).
//!
//! # Your own `std::thread`s
//! A thread started with `std::thread::spawn` is not in the list; the driver must stop and
//! join it itself, in [`Driver::finish`](crate::Driver::finish). Keep the join handle and a
//! way to signal the thread in a `static`, and take them out in `finish` (take, not
//! borrow: if the same library is loaded again, its statics may not be fresh):
//!
//! ```no_run
//! use std::sync::Mutex;
//! use std::sync::mpsc::{self, RecvTimeoutError, Sender};
//! use std::thread::JoinHandle;
//! use std::time::Duration;
//!
//! /// The worker and the channel that stops it: dropping the sender wakes the worker.
//! static WORKER: Mutex<Option<(Sender<()>, JoinHandle<()>)>> = Mutex::new(None);
//!
//! fn start_worker() {
//!     let (stop, stopped) = mpsc::channel::<()>();
//!     let handle = std::thread::spawn(move || {
//!         // Every 100 ms until the sender is dropped.
//!         let tick = Duration::from_millis(100);
//!         while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(tick) {
//!             // ... the periodic work ...
//!         }
//!     });
//!     *WORKER.lock().unwrap() = Some((stop, handle));
//! }
//!
//! // In `impl Driver`:
//! fn finish() {
//!     let worker = WORKER.lock().unwrap_or_else(|e| e.into_inner()).take();
//!     if let Some((stop, handle)) = worker {
//!         drop(stop);
//!         let _ = handle.join();
//!     }
//! }
//! ```

use core::fmt;
use std::any::Any;
use std::ffi::CStr;
use std::io::{self, Write as _};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How often a `finish` that waits for a thread says so on standard error.
const REPORT_EVERY: Duration = Duration::from_secs(2);

/// Told the name of a thread `finish` waits for, and how long it has waited so far.
type Report<'a> = &'a dyn Fn(&str, Duration);

/// Every thread of this driver started with [`spawn`]: one list per library, since a shared
/// object holds one driver.
static THREADS: Registry = Registry::new();

/// Starts a thread named `name` that runs `f` with its [`StopToken`]. The framework stops
/// and joins it when the driver is unloaded, unless it was joined before (see the [module
/// documentation](self)); dropping the returned handle does not stop it.
///
/// # Errors
/// When the OS cannot start a thread, or `name` contains a NUL byte.
pub fn spawn<F, T>(name: impl Into<String>, f: F) -> io::Result<JoinHandle<T>>
where
    F: FnOnce(&StopToken) -> T + Send + 'static,
    T: Send + 'static,
{
    THREADS.spawn(name.into(), f)
}

/// [`spawn`] with `start` starting the OS thread (see [`Registry::spawn_with`]): the VM's
/// threads of [`drv_thread`](crate::drv_thread) share the list, the stop tokens and the
/// join at unload with `std`'s.
pub(crate) fn spawn_with<F, T>(
    name: String,
    f: F,
    start: impl FnOnce(&str, Body) -> io::Result<OsJoin>,
) -> io::Result<JoinHandle<T>>
where
    F: FnOnce(&StopToken) -> T + Send + 'static,
    T: Send + 'static,
{
    THREADS.spawn_with(name, f, start)
}

/// Stops and joins every thread started with [`spawn`] that is still in the list; called by
/// the `finish` trampoline after the driver's own `finish`.
pub(crate) fn finish(driver: &CStr) {
    THREADS.stop_and_join_all(|thread, waited| {
        let _ = writeln!(
            io::stderr(),
            "erldrv: driver {driver:?} is being unloaded and has waited {} s for its thread \
             {thread:?} to stop; the library cannot be unmapped while the thread runs, so \
             unloading waits (the thread must return once its StopToken reports stopped)",
            waited.as_secs()
        );
    });
}

/// Locks `m`, also after a panic elsewhere poisoned it: every value guarded here stays
/// consistent whatever panics (flags and handles, each written in one step).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The stop request of one thread.
struct Signal {
    /// Read without the lock by [`StopToken::is_stopped`]; written under it, so that a
    /// waiter that has checked it under the lock cannot miss the wake-up.
    stopped: AtomicBool,
    lock: Mutex<()>,
    wake: Condvar,
}

impl Signal {
    fn new() -> Signal {
        Signal {
            stopped: AtomicBool::new(false),
            lock: Mutex::new(()),
            wake: Condvar::new(),
        }
    }

    fn stop(&self) {
        let _guard = lock(&self.lock);
        self.stopped.store(true, Ordering::Release);
        self.wake.notify_all();
    }
}

/// Tells a thread started with [`spawn`] that it should return: at unload, or when its
/// [`JoinHandle::stop`] is called. Cheap to clone; all clones see the same request.
#[derive(Clone)]
pub struct StopToken {
    signal: Arc<Signal>,
}

impl StopToken {
    /// Whether the thread has been asked to stop. Once true, it stays true.
    pub fn is_stopped(&self) -> bool {
        self.signal.stopped.load(Ordering::Acquire)
    }

    /// Waits until the thread is asked to stop or `timeout` has passed, whichever comes
    /// first; returns [`is_stopped`](StopToken::is_stopped). The sleep of a worker loop:
    /// it ends at once on a stop request.
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        let Some(deadline) = Instant::now().checked_add(timeout) else {
            self.wait();
            return true;
        };
        let mut guard = lock(&self.signal.lock);
        while !self.is_stopped() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            guard = self
                .signal
                .wake
                .wait_timeout(guard, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }

    /// Waits until the thread is asked to stop.
    pub fn wait(&self) {
        let mut guard = lock(&self.signal.lock);
        while !self.is_stopped() {
            guard = self
                .signal
                .wake
                .wait(guard)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

impl fmt::Debug for StopToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StopToken")
            .field("stopped", &self.is_stopped())
            .finish()
    }
}

/// Joins one OS thread: `std`'s join, or `erl_drv_thread_join` for the VM's threads
/// ([`drv_thread`](crate::drv_thread)). Called once, after the thread's closure returned.
pub(crate) type OsJoin = Box<dyn FnOnce() + Send>;

/// The body a new OS thread runs: the driver's closure wrapped by the registry.
pub(crate) type Body = Box<dyn FnOnce() + Send>;

/// Where one OS thread is in its life, as far as joining goes.
struct State {
    /// Taken by whoever joins the OS thread.
    handle: Option<OsJoin>,
    /// The closure has returned (or unwound): joining no longer waits for the driver's
    /// code, only for the thread's exit.
    returned: bool,
    /// The OS thread has been joined: it runs no more code of this library.
    joined: bool,
}

/// One thread started with [`spawn`], shared by the list, its [`JoinHandle`] and the thread.
struct Thread {
    id: u64,
    name: String,
    signal: Arc<Signal>,
    /// Its [`JoinHandle`] still exists: the result may yet be asked for.
    owned: AtomicBool,
    state: Mutex<State>,
    changed: Condvar,
}

impl Thread {
    fn set_returned(&self) {
        lock(&self.state).returned = true;
        self.changed.notify_all();
    }

    fn has_returned(&self) -> bool {
        lock(&self.state).returned
    }

    /// Returns once the OS thread has been joined, by this call or by another one running
    /// at the same time. While the closure still runs, `report` is called every
    /// [`REPORT_EVERY`] with the time waited so far (if given).
    fn join(&self, report: Option<Report<'_>>) {
        let started = Instant::now();
        let mut state = lock(&self.state);
        loop {
            if state.joined {
                return;
            }
            if state.returned
                && let Some(handle) = state.handle.take()
            {
                drop(state);
                // The closure's outcome went to the result slot: this join only waits
                // for the thread's exit. Its `Err` (a panic outside the closure) may
                // hold a payload whose drop panics; neither may escape.
                let _ = catch_unwind(AssertUnwindSafe(handle));
                lock(&self.state).joined = true;
                self.changed.notify_all();
                return;
            }
            // Someone else took the handle and is joining: wait for them.
            state = match report {
                None => self
                    .changed
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner),
                Some(report) => {
                    let (state, timeout) = self
                        .changed
                        .wait_timeout(state, REPORT_EVERY)
                        .unwrap_or_else(PoisonError::into_inner);
                    if timeout.timed_out() && !state.returned {
                        report(&self.name, started.elapsed());
                    }
                    state
                }
            };
        }
    }
}

/// Marks the thread returned when the closure returns or unwinds.
struct ReturnedOnDrop(Arc<Thread>);

impl Drop for ReturnedOnDrop {
    fn drop(&mut self) {
        self.0.set_returned();
    }
}

/// What the closure produced, or the panic it raised.
type Outcome<T> = Arc<Mutex<Option<std::thread::Result<T>>>>;

/// A thread started with [`spawn`]: stop it, wait for it, take its result.
///
/// Dropping the handle neither stops nor detaches the thread: it stays in the driver's list
/// and is stopped and joined at unload (a thread that has returned by then is joined the
/// next time a thread is spawned, so that short-lived threads do not pile up).
pub struct JoinHandle<T> {
    thread: Arc<Thread>,
    outcome: Outcome<T>,
    registry: &'static Registry,
}

impl<T> JoinHandle<T> {
    /// The thread's name, as given to [`spawn`].
    pub fn name(&self) -> &str {
        &self.thread.name
    }

    /// Asks the thread to stop: its [`StopToken`] reports stopped and its waits end.
    /// Does not wait for it; see [`join`](JoinHandle::join).
    pub fn stop(&self) {
        self.thread.signal.stop();
    }

    /// Whether the thread's closure has returned (or panicked).
    pub fn is_finished(&self) -> bool {
        self.thread.has_returned()
    }

    /// Waits for the thread to finish and returns what its closure returned, or `Err` with
    /// the panic payload if it panicked. Does not ask it to stop: see
    /// [`stop_and_join`](JoinHandle::stop_and_join).
    pub fn join(self) -> std::thread::Result<T> {
        self.thread.join(None);
        self.registry.forget(self.thread.id);
        lock(&self.outcome).take().unwrap_or_else(|| {
            // The closure always stores its outcome before the thread is marked returned.
            Err(Box::new("erldrv: the thread left no result") as Box<dyn Any + Send>)
        })
    }

    /// [`stop`](JoinHandle::stop), then [`join`](JoinHandle::join).
    pub fn stop_and_join(self) -> std::thread::Result<T> {
        self.stop();
        self.join()
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        self.thread.owned.store(false, Ordering::Release);
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("name", &self.thread.name)
            .field(
                "stopped",
                &self.thread.signal.stopped.load(Ordering::Acquire),
            )
            .field("finished", &self.is_finished())
            .finish()
    }
}

/// The threads of one driver.
struct Registry {
    inner: Mutex<Inner>,
    next_id: AtomicU64,
}

struct Inner {
    threads: Vec<Arc<Thread>>,
    /// `finish` is stopping the threads: new ones start stopped.
    finishing: bool,
}

impl Registry {
    const fn new() -> Registry {
        Registry {
            inner: Mutex::new(Inner {
                threads: Vec::new(),
                finishing: false,
            }),
            next_id: AtomicU64::new(0),
        }
    }

    fn spawn<F, T>(&'static self, name: String, f: F) -> io::Result<JoinHandle<T>>
    where
        F: FnOnce(&StopToken) -> T + Send + 'static,
        T: Send + 'static,
    {
        self.spawn_with(name, f, |name, body| {
            let handle = std::thread::Builder::new()
                .name(name.to_owned())
                .spawn(body)?;
            // The closure's outcome went to the result slot: this join only waits for the
            // thread's exit (its `Err`, a panic outside the closure, is dropped quietly).
            Ok(Box::new(move || crate::panic::drop_quietly(handle.join())) as OsJoin)
        })
    }

    /// Like [`spawn`](Registry::spawn), with `start` starting the OS thread: it runs the
    /// body it is given on a new thread named `name` and returns how to join that thread.
    fn spawn_with<F, T>(
        &'static self,
        name: String,
        f: F,
        start: impl FnOnce(&str, Body) -> io::Result<OsJoin>,
    ) -> io::Result<JoinHandle<T>>
    where
        F: FnOnce(&StopToken) -> T + Send + 'static,
        T: Send + 'static,
    {
        if name.contains('\0') {
            // std would panic on it.
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a thread name cannot contain a NUL byte",
            ));
        }
        let signal = Arc::new(Signal::new());
        let thread = Arc::new(Thread {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            name,
            signal: Arc::clone(&signal),
            owned: AtomicBool::new(true),
            state: Mutex::new(State {
                handle: None,
                returned: false,
                joined: false,
            }),
            changed: Condvar::new(),
        });
        let outcome: Outcome<T> = Arc::new(Mutex::new(None));
        let token = StopToken { signal };

        // Held until the thread is in the list, so that `finish` cannot miss it.
        let mut inner = lock(&self.inner);
        if inner.finishing {
            token.signal.stop();
        }
        Self::reap(&mut inner.threads);
        let returned = ReturnedOnDrop(Arc::clone(&thread));
        let result = Arc::clone(&outcome);
        let handle = start(
            &thread.name,
            Box::new(move || {
                // Dropped last, after the outcome is stored.
                let _returned = returned;
                let out = catch_unwind(AssertUnwindSafe(|| f(&token)));
                *lock(&result) = Some(out);
            }),
        )?;
        lock(&thread.state).handle = Some(handle);
        inner.threads.push(Arc::clone(&thread));
        drop(inner);
        Ok(JoinHandle {
            thread,
            outcome,
            registry: self,
        })
    }

    /// Joins and drops the threads that have returned and that no handle refers to any more.
    fn reap(threads: &mut Vec<Arc<Thread>>) {
        threads.retain(|t| {
            if !t.owned.load(Ordering::Acquire) && t.has_returned() {
                t.join(None);
                false
            } else {
                true
            }
        });
    }

    /// Removes a thread its handle has joined.
    fn forget(&self, id: u64) {
        lock(&self.inner).threads.retain(|t| t.id != id);
    }

    /// Stops every thread in the list and joins them, until the list stays empty.
    fn stop_and_join_all(&self, report: impl Fn(&str, Duration)) {
        loop {
            let threads = {
                let mut inner = lock(&self.inner);
                inner.finishing = true;
                std::mem::take(&mut inner.threads)
            };
            if threads.is_empty() {
                break;
            }
            // Stop them all first, so that they wind down in parallel.
            for t in &threads {
                t.signal.stop();
            }
            for t in &threads {
                t.join(Some(&report));
            }
        }
        // Should the VM load this same mapping again, its threads start afresh.
        lock(&self.inner).finishing = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    const LONG: Duration = Duration::from_secs(10);

    #[test]
    fn join_returns_the_result_after_stop() {
        static R: Registry = Registry::new();
        let h = R
            .spawn("counter".into(), |stop| {
                let mut n = 0u32;
                while !stop.wait_timeout(Duration::from_millis(1)) {
                    n += 1;
                }
                n + 1
            })
            .unwrap();
        assert_eq!(h.name(), "counter");
        assert!(!h.is_finished());
        let n = h.stop_and_join().unwrap();
        assert!(n >= 1);
        assert!(
            lock(&R.inner).threads.is_empty(),
            "a joined thread leaves the list"
        );
    }

    #[test]
    fn a_panic_is_returned_by_join() {
        static R: Registry = Registry::new();
        let h = R
            .spawn("panicky".into(), |_| -> u8 { panic!("deliberate") })
            .unwrap();
        let payload = h.join().unwrap_err();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"deliberate"));
    }

    #[test]
    fn wait_timeout_times_out_then_wakes_on_stop() {
        static R: Registry = Registry::new();
        let (tx, rx) = mpsc::channel();
        let h = R
            .spawn("waiter".into(), move |stop| {
                tx.send(stop.wait_timeout(Duration::from_millis(1)))
                    .unwrap();
                // Far longer than the test may take: only the stop ends this wait.
                tx.send(stop.wait_timeout(LONG * 100)).unwrap();
                stop.wait();
                stop.is_stopped()
            })
            .unwrap();
        assert_eq!(rx.recv_timeout(LONG), Ok(false));
        let started = Instant::now();
        h.stop();
        assert_eq!(rx.recv_timeout(LONG), Ok(true));
        assert!(started.elapsed() < LONG);
        assert!(h.join().unwrap());
    }

    #[test]
    fn finish_stops_and_joins_every_thread() {
        static R: Registry = Registry::new();
        let done = Arc::new(AtomicU64::new(0));
        let mut handles = Vec::new();
        for i in 0..3 {
            let done = Arc::clone(&done);
            let h = R
                .spawn(format!("worker {i}"), move |stop| {
                    stop.wait();
                    done.fetch_add(1, Ordering::SeqCst);
                })
                .unwrap();
            handles.push(h);
        }
        // One handle dropped: its thread is still stopped and joined.
        drop(handles.pop());
        R.stop_and_join_all(|name, _| panic!("{name} did not stop"));
        assert_eq!(done.load(Ordering::SeqCst), 3);
        assert!(handles.iter().all(JoinHandle::is_finished));
        assert!(lock(&R.inner).threads.is_empty());
        // The handles still give the results; the threads have been joined already.
        for h in handles {
            h.join().unwrap();
        }
        assert!(!lock(&R.inner).finishing, "a reload starts afresh");
    }

    #[test]
    fn threads_spawned_during_finish_start_stopped_and_are_joined() {
        static R: Registry = Registry::new();
        let (tx, rx) = mpsc::channel();
        let parent = R
            .spawn("parent".into(), move |stop| {
                stop.wait();
                // Spawned after finish took the list: it must start stopped.
                drop(R.spawn("child".into(), move |stop| tx.send(stop.is_stopped())));
            })
            .unwrap();
        R.stop_and_join_all(|name, _| panic!("{name} did not stop"));
        assert_eq!(rx.recv_timeout(LONG), Ok(true));
        assert!(parent.is_finished());
        assert!(
            lock(&R.inner).threads.is_empty(),
            "the child was joined too"
        );
    }

    #[test]
    fn a_join_in_progress_elsewhere_is_waited_for() {
        static R: Registry = Registry::new();
        let (release, released) = mpsc::channel::<()>();
        let slow = R
            .spawn("slow".into(), move |_| {
                // Ignores its token until the test lets it go.
                released.recv().unwrap();
                7
            })
            .unwrap();
        // Another driver thread joins `slow` while finish runs.
        let joiner = R
            .spawn("joiner".into(), move |_| slow.join().unwrap())
            .unwrap();
        let reports = Mutex::new(Vec::new());
        std::thread::scope(|s| {
            s.spawn(|| R.stop_and_join_all(|name, _| lock(&reports).push(name.to_owned())));
            // finish waits (and may report) until `slow` returns.
            release.send(()).unwrap();
        });
        assert_eq!(joiner.join().unwrap(), 7);
        assert!(lock(&R.inner).threads.is_empty());
        // Whether a report came depends on timing; it never names a thread that returned.
        assert!(lock(&reports).iter().all(|n| n == "slow" || n == "joiner"));
    }

    #[test]
    fn finish_reports_a_thread_that_does_not_stop() {
        static R: Registry = Registry::new();
        let (release, released) = mpsc::channel::<()>();
        let _h = R
            .spawn("stubborn".into(), move |_| released.recv().unwrap())
            .unwrap();
        let (reported, reports) = mpsc::channel();
        std::thread::scope(|s| {
            s.spawn(|| {
                R.stop_and_join_all(|name, waited| {
                    reported.send((name.to_owned(), waited)).unwrap();
                })
            });
            let (name, waited) = reports.recv_timeout(LONG).unwrap();
            assert_eq!(name, "stubborn");
            assert!(waited >= REPORT_EVERY);
            release.send(()).unwrap();
        });
        assert!(lock(&R.inner).threads.is_empty());
    }

    #[test]
    fn finished_threads_without_handles_are_reaped_on_spawn() {
        static R: Registry = Registry::new();
        let mut short = Vec::new();
        for _ in 0..5 {
            let h = R.spawn("short".into(), |_| ()).unwrap();
            short.push(Arc::clone(&h.thread));
        }
        for t in &short {
            let mut state = lock(&t.state);
            while !state.returned {
                state = t.changed.wait(state).unwrap();
            }
        }
        let last = R.spawn("last".into(), |_| ()).unwrap();
        // The handle-less returned threads are gone; only `last` may remain.
        assert_eq!(lock(&R.inner).threads.len(), 1);
        last.join().unwrap();
    }

    #[test]
    fn spawn_with_joins_through_the_given_join_once() {
        static R: Registry = Registry::new();
        let joins = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&joins);
        let h = R
            .spawn_with(
                "custom".into(),
                |stop| {
                    stop.wait();
                    5
                },
                move |name, body| {
                    let t = std::thread::Builder::new()
                        .name(name.to_owned())
                        .spawn(body)?;
                    Ok(Box::new(move || {
                        counted.fetch_add(1, Ordering::SeqCst);
                        drop(t.join());
                    }) as OsJoin)
                },
            )
            .unwrap();
        assert_eq!(h.stop_and_join().unwrap(), 5);
        R.stop_and_join_all(|name, _| panic!("{name} did not stop"));
        assert_eq!(joins.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_failed_start_leaves_nothing_in_the_list() {
        static R: Registry = Registry::new();
        let e = R
            .spawn_with(
                "never".into(),
                |_| (),
                |_, _body| Err(io::Error::from(io::ErrorKind::WouldBlock)),
            )
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
        assert!(lock(&R.inner).threads.is_empty());
    }

    #[test]
    fn a_nul_in_the_name_is_an_error() {
        static R: Registry = Registry::new();
        let e = R.spawn("a\0b".into(), |_| ()).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
    }
}
