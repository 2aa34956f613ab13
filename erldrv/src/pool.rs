//! The framework's worker pool: jobs that run off the schedulers on threads the driver owns,
//! many at once, and are stopped and joined when the driver unloads.
//!
//! The VM's own async pool (`driver_async`, [`Driver::spawn_async`](crate::Driver::spawn_async))
//! runs every job of a port on one thread, in order, on `+A` threads (one by default). The
//! pool here is the driver's: its size follows the schedulers (or the driver's setting), a
//! port's jobs run on all workers at once unless the driver asks for them in order, and a
//! job that answers a caller ([`Request`](crate::Request)) sends the reply from the worker
//! itself.
//!
//! # Size, queue and backpressure
//! - **Workers:** the number of scheduler threads by default (`erlang:system_info(schedulers)`),
//!   or `#[erl_driver(workers = N)]`, or at load time the VM environment variable
//!   `ERLDRV_WORKERS_<driver name>` (what `erldrv:load/3` sets from its `workers` option),
//!   which wins. Workers start with the first job, so a driver that never uses the pool has
//!   no threads; idle workers sleep on a condition variable (no spinning).
//! - **Queue:** at most `#[erl_driver(queue = N)]` jobs (4096 by default; at load time
//!   `ERLDRV_QUEUE_<driver name>`, `erldrv:load/3`'s `queue` option, wins) wait for a worker,
//!   across all ports of the driver. Past that a new job is refused with [`Busy`]: a request's
//!   caller is answered `{error, busy}` at once. The queue never grows without bound, and
//!   nobody blocks: the scheduler that submitted stays free.
//!
//! # Closed ports and cancellation
//! A job belongs to its port. When the port closes, its jobs that have not started are
//! dropped without running, and running ones see [`Cancel::is_cancelled`] turn true. A
//! request's job also sees it when its caller gave up (`erldrv:await/2` timed out and
//! cancelled it).
//!
//! # Unloading
//! The VM unloads a driver only after its last port has closed, so at `finish` every job
//! left is cancelled. The framework's `finish` then wakes the workers, drops the jobs still
//! queued, and waits for the running ones to return, for up to [`UNLOAD_WAIT`] in all
//! (10 s; `ERLDRV_UNLOAD_WAIT_<driver name>` in the VM environment sets another number of
//! milliseconds), together with the futures of the driver's async runtime (with the `tokio`
//! feature). Meanwhile the scheduler running `finish`, and `erl_ddll`, wait. A
//! job that is still running then (it ignores its [`Cancel`]) cannot be stopped, and the
//! library cannot be unmapped under it: erldrv says so on standard error and keeps the
//! library mapped for the life of the VM (`dlopen` with `RTLD_NODELETE`), so that the VM
//! survives. The next load of the driver then finds the same library, already loaded.

use std::collections::{HashMap, VecDeque};
use std::ffi::CStr;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::ids::PortId;
use crate::panic::{catch, drop_quietly};
use crate::term::{Atom, TermBuilder, TermWriter, ToTerm};

thread_local! {
    /// Set on the pool's own workers: only they keep a builder in `SCRATCH`.
    static IS_WORKER: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
    /// The builder a worker reuses for its replies. A thread-local with a destructor, so
    /// only on the pool's workers, which are joined before the library goes: on a thread
    /// of the VM's the destructor would run after the library is unmapped.
    static SCRATCH: core::cell::RefCell<Option<TermBuilder>> =
        const { core::cell::RefCell::new(None) };
}

/// Runs `f` with an empty term builder: on a pool worker, the worker's own (so replies
/// stop allocating), elsewhere a new one.
pub(crate) fn with_builder<R>(f: impl FnOnce(&mut TermBuilder) -> R) -> R {
    if !IS_WORKER.get() {
        return f(&mut TermBuilder::new());
    }
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut slot) => {
            let b = slot.get_or_insert_with(TermBuilder::new);
            b.clear();
            let r = f(b);
            b.clear();
            if !b.worth_keeping() {
                *slot = None;
            }
            r
        }
        // A reply built while building another (a `ToTerm` that answers a request).
        Err(_) => f(&mut TermBuilder::new()),
    })
}

/// How long the framework's `finish` waits, in all, for pool jobs that are still running
/// (and, with the `tokio` feature, for the async runtime's threads), unless the VM
/// environment variable `ERLDRV_UNLOAD_WAIT_<driver name>` gives another number of
/// milliseconds.
pub const UNLOAD_WAIT: Duration = Duration::from_secs(10);

/// The unload wait of driver `driver`: `ERLDRV_UNLOAD_WAIT_<driver>` milliseconds, or
/// [`UNLOAD_WAIT`].
pub(crate) fn unload_wait(driver: &CStr) -> Duration {
    env_number("UNLOAD_WAIT", driver)
        .map(|ms| Duration::from_millis(ms as u64))
        .unwrap_or(UNLOAD_WAIT)
}

/// The default bound of the queue (`#[erl_driver(queue = N)]` sets another).
pub const DEFAULT_QUEUE: usize = 4096;

/// A job could not be queued: the pool's queue is full (see the [module docs](self)); or,
/// for a future (feature `tokio`), as many futures as the bound are alive or the async
/// runtime could not start. For a [`Request`](crate::Request), the caller has been answered
/// `{error, busy}` already.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Busy;

impl core::fmt::Display for Busy {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("the driver's job queue is full")
    }
}

impl std::error::Error for Busy {}

/// Tells a running job that nobody wants its result any more: its port has closed, or (for a
/// request) its caller cancelled it, or exited while watched
/// ([`Request::watch_caller`](crate::Request::watch_caller)). Poll it in long loops and return early; whatever the job
/// returns then is dropped.
#[derive(Clone)]
pub struct Cancel {
    port: Arc<PortLife>,
    request: Option<Arc<RequestState>>,
}

impl Cancel {
    pub(crate) fn new(port: Arc<PortLife>, request: Option<Arc<RequestState>>) -> Cancel {
        Cancel { port, request }
    }

    /// Whether the job's port has closed, or its request was cancelled. Once true, stays true.
    #[inline]
    pub fn is_cancelled(&self) -> bool {
        self.port.is_closed() || self.request.as_ref().is_some_and(|r| r.is_cancelled())
    }

    /// Whether the job's port has closed.
    pub fn port_closed(&self) -> bool {
        self.port.is_closed()
    }

    /// `Err(Cancelled)` once cancelled: `cancel.check()?` in a job's loop returns early (a
    /// job whose error type is [`Cancelled`], or converts from it). Whatever a cancelled job
    /// returns goes nowhere.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }
}

static CANCELLED_ATOM: Atom = Atom::new("cancelled");

/// A job stopped because it was cancelled ([`Cancel::check`]). As a term, the atom
/// `cancelled` (nobody receives it: the request's caller has gone or given up).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cancelled;

impl core::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("the job was cancelled")
    }
}

impl std::error::Error for Cancelled {}

impl ToTerm for Cancelled {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.atom(&CANCELLED_ATOM);
    }
}

impl core::fmt::Debug for Cancel {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Cancel")
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

/// A request waiting for its reply.
const PENDING: u8 = 0;
/// The caller gave up: no reply may be sent.
const CANCELLED: u8 = 1;
/// The reply is being sent, or has been.
const ANSWERED: u8 = 2;

/// Whether a request is still waited for; the reply and a cancellation race for it.
pub(crate) struct RequestState {
    state: AtomicU8,
    /// The future answering the request, aborted when the request is cancelled.
    #[cfg(feature = "tokio")]
    future: Mutex<Option<Arc<FutureSlot>>>,
}

impl RequestState {
    pub(crate) fn new() -> RequestState {
        RequestState {
            state: AtomicU8::new(PENDING),
            #[cfg(feature = "tokio")]
            future: Mutex::new(None),
        }
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.state.load(Ordering::Acquire) == CANCELLED
    }

    /// Still waiting for its answer.
    pub(crate) fn is_pending(&self) -> bool {
        self.state.load(Ordering::Acquire) == PENDING
    }

    /// Claims the right to reply; `false` when the request was cancelled (or answered).
    pub(crate) fn answer(&self) -> bool {
        self.state
            .compare_exchange(PENDING, ANSWERED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// Cancels, aborting the request's future if it has one; `false` when the reply is
    /// already on its way.
    pub(crate) fn cancel(&self) -> bool {
        match self
            .state
            .compare_exchange(PENDING, CANCELLED, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => {
                // After the state changed: `attach` looks at the state under this lock.
                #[cfg(feature = "tokio")]
                if let Some(slot) = lock(&self.future).as_ref() {
                    slot.abort();
                }
                true
            }
            Err(state) => state == CANCELLED,
        }
    }

    /// The future that answers this request: aborted on a cancellation, also one that
    /// came first.
    #[cfg(feature = "tokio")]
    pub(crate) fn attach(&self, slot: Arc<FutureSlot>) {
        let mut future = lock(&self.future);
        if self.is_cancelled() {
            slot.abort();
        }
        *future = Some(slot);
    }
}

/// One future of a port on the driver's async runtime: its abort handle, once it is
/// spawned, and whether it was aborted before that.
#[cfg(feature = "tokio")]
pub(crate) struct FutureSlot {
    aborted: AtomicBool,
    handle: Mutex<Option<tokio::task::AbortHandle>>,
}

#[cfg(feature = "tokio")]
impl FutureSlot {
    fn new() -> FutureSlot {
        FutureSlot {
            aborted: AtomicBool::new(false),
            handle: Mutex::new(None),
        }
    }

    /// The future is spawned: abort it at once if it was aborted before.
    pub(crate) fn set(&self, handle: tokio::task::AbortHandle) {
        let mut slot = lock(&self.handle);
        if self.aborted.load(Ordering::Acquire) {
            drop(slot);
            handle.abort();
        } else {
            *slot = Some(handle);
        }
    }

    /// Aborts the future: the runtime drops it without polling it again (one being polled
    /// right now is dropped when that poll returns). Harmless after it finished.
    pub(crate) fn abort(&self) {
        // Before the lock: `set` looks at the flag under it.
        self.aborted.store(true, Ordering::Release);
        if let Some(handle) = lock(&self.handle).take() {
            handle.abort();
        }
    }
}

/// A port's futures that are alive, by number, to abort when it closes.
#[cfg(feature = "tokio")]
#[derive(Default)]
struct Futures {
    next: u64,
    alive: HashMap<u64, Arc<FutureSlot>>,
}

/// What the pool and the port's threads share about one port: whether it is open, its
/// requests in flight, and its lane of ordered jobs. Made on the port's first job or request.
pub(crate) struct PortLife {
    pub(crate) port: PortId,
    closed: AtomicBool,
    pending: Mutex<HashMap<Arc<[u8]>, Arc<RequestState>>>,
    lane: Mutex<Lane>,
    #[cfg(feature = "tokio")]
    futures: Mutex<Futures>,
}

/// A port's ordered jobs: at most one runs at a time, the others wait here, in order.
#[derive(Default)]
struct Lane {
    waiting: VecDeque<Job>,
    running: bool,
}

impl PortLife {
    pub(crate) fn new(port: PortId) -> PortLife {
        PortLife {
            port,
            closed: AtomicBool::new(false),
            pending: Mutex::new(HashMap::new()),
            lane: Mutex::new(Lane::default()),
            #[cfg(feature = "tokio")]
            futures: Mutex::new(Futures::default()),
        }
    }

    #[inline]
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// The port has stopped: cancel every job and request of it, abort its futures.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
        let pending = core::mem::take(&mut *lock(&self.pending));
        for state in pending.values() {
            state.cancel();
        }
        // After `closed` is set: `add_future` looks at it under this lock.
        #[cfg(feature = "tokio")]
        for slot in core::mem::take(&mut lock(&self.futures).alive).into_values() {
            slot.abort();
        }
        let waiting = core::mem::take(&mut lock(&self.lane).waiting);
        if let Some(pool) = current() {
            pool.in_queue.fetch_sub(waiting.len(), Ordering::Relaxed);
        }
        drop_quietly(waiting);
    }

    /// A new future of this port: its number and slot, or `None` when the port has closed.
    #[cfg(feature = "tokio")]
    pub(crate) fn add_future(&self) -> Option<(u64, Arc<FutureSlot>)> {
        let mut futures = lock(&self.futures);
        if self.is_closed() {
            return None;
        }
        let id = futures.next;
        futures.next += 1;
        let slot = Arc::new(FutureSlot::new());
        futures.alive.insert(id, slot.clone());
        Some((id, slot))
    }

    /// The future numbered `id` is gone (finished or dropped): forget it.
    #[cfg(feature = "tokio")]
    pub(crate) fn remove_future(&self, id: u64) {
        let slot = lock(&self.futures).alive.remove(&id);
        drop(slot);
    }

    /// Registers a new request under its tag (a reference the caller made, so unique).
    pub(crate) fn register(&self, tag: Arc<[u8]>, state: Arc<RequestState>) {
        if !self.is_closed() {
            lock(&self.pending).insert(tag, state);
        }
    }

    /// The request has been answered (or dropped): forget it.
    pub(crate) fn unregister(&self, tag: &[u8]) {
        lock(&self.pending).remove(tag);
    }

    /// `erldrv:await/2` gave up on the request tagged `tag`: `true` if it is cancelled (no
    /// reply will come), `false` if its reply has been sent or is being sent (or there is
    /// no such request).
    pub(crate) fn cancel(&self, tag: &[u8]) -> bool {
        let state = lock(&self.pending).get(tag).cloned();
        state.is_some_and(|s| s.cancel())
    }
}

/// Jobs alive (queued, waiting in a lane, running, or held by the VM's async pool), for
/// [`live_jobs`].
static LIVE: AtomicUsize = AtomicUsize::new(0);

/// How many jobs of this driver exist right now: queued or running in the pool, or
/// submitted to the VM's async pool ([`Driver::spawn_async`](crate::Driver::spawn_async))
/// and not yet freed. Once the ports are closed and their jobs done, it is back to 0: a
/// test's way to see that nothing leaked.
pub fn live_jobs() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// Counts one live job for as long as it exists.
pub(crate) struct LiveJob(());

impl LiveJob {
    pub(crate) fn new() -> LiveJob {
        LIVE.fetch_add(1, Ordering::Relaxed);
        LiveJob(())
    }
}

impl Drop for LiveJob {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One job: its port, whether it belongs to the port's lane, and the work.
pub(crate) struct Job {
    cancel: Cancel,
    ordered: bool,
    work: Box<dyn FnOnce(&Cancel) + Send>,
    _live: LiveJob,
}

impl Job {
    pub(crate) fn new(cancel: Cancel, ordered: bool, work: Box<dyn FnOnce(&Cancel) + Send>) -> Job {
        Job {
            cancel,
            ordered,
            work,
            _live: LiveJob::new(),
        }
    }
}

/// The driver's pool: a bounded queue and the workers that take from it.
pub(crate) struct Pool {
    queue: Mutex<Queue>,
    wake: Condvar,
    /// Jobs waiting (in the queue or in a lane): the bound applies to these.
    in_queue: AtomicUsize,
    capacity: usize,
}

struct Queue {
    jobs: VecDeque<Job>,
    idle: usize,
    shutdown: bool,
}

/// The pool's settings, from `driver_init` (the attribute's options).
struct Config {
    name: &'static CStr,
    workers: usize,
    queue: usize,
}

/// The running pool and its threads.
struct Running {
    pool: Arc<Pool>,
    threads: Vec<JoinHandle<()>>,
    /// Signalled by each worker as its loop ends (see `shutdown`).
    exited: Arc<(Mutex<usize>, Condvar)>,
}

struct Global {
    config: Config,
    running: Option<Running>,
}

static GLOBAL: Mutex<Global> = Mutex::new(Global {
    config: Config {
        name: c"",
        workers: 0,
        queue: DEFAULT_QUEUE,
    },
    running: None,
});

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Called by `driver_init`: the attribute's settings (0 for "default").
pub(crate) fn configure(name: &'static CStr, workers: usize, queue: usize) {
    let mut g = lock(&GLOBAL);
    g.config = Config {
        name,
        workers,
        queue: if queue == 0 { DEFAULT_QUEUE } else { queue },
    };
}

/// The settings in force: the number of workers and the bound of the queue (the VM
/// environment's overrides, else the attribute's, else the defaults). The async runtime
/// takes the same ones.
pub(crate) fn settings() -> (usize, usize) {
    let g = lock(&GLOBAL);
    let queue = env_number("QUEUE", g.config.name).unwrap_or(g.config.queue);
    (worker_count(&g.config), queue)
}

/// The pool if it is running.
fn current() -> Option<Arc<Pool>> {
    lock(&GLOBAL).running.as_ref().map(|r| r.pool.clone())
}

/// The pool, started if needed. `None` when no thread could be started (then jobs are
/// refused as [`Busy`]).
pub(crate) fn pool() -> Option<Arc<Pool>> {
    if let Some(pool) = current() {
        return Some(pool);
    }
    let (workers, capacity) = settings();
    let mut g = lock(&GLOBAL);
    if let Some(r) = &g.running {
        return Some(r.pool.clone());
    }
    let pool = Arc::new(Pool {
        queue: Mutex::new(Queue {
            jobs: VecDeque::new(),
            idle: 0,
            shutdown: false,
        }),
        wake: Condvar::new(),
        in_queue: AtomicUsize::new(0),
        capacity,
    });
    let exited = Arc::new((Mutex::new(0usize), Condvar::new()));
    let mut threads = Vec::with_capacity(workers);
    for i in 0..workers {
        let (pool, exited) = (pool.clone(), exited.clone());
        let spawned = std::thread::Builder::new()
            .name(format!("erldrv-worker-{i}"))
            .spawn(move || {
                worker(&pool);
                let (count, cv) = &*exited;
                *lock(count) += 1;
                cv.notify_all();
            });
        match spawned {
            Ok(t) => threads.push(t),
            Err(_) => break,
        }
    }
    if threads.is_empty() {
        return None;
    }
    g.running = Some(Running {
        pool: pool.clone(),
        threads,
        exited,
    });
    Some(pool)
}

/// `ERLDRV_<what>_<driver name>` from the VM environment, if it is a positive number.
fn env_number(what: &str, driver: &CStr) -> Option<usize> {
    let var = format!("ERLDRV_{what}_{}", driver.to_string_lossy());
    crate::env::var(&var)
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
}

/// The number of workers: the environment override, the attribute, or the schedulers.
fn worker_count(config: &Config) -> usize {
    if let Some(n) = env_number("WORKERS", config.name) {
        return n.min(1024);
    }
    if config.workers > 0 {
        return config.workers;
    }
    schedulers().max(1)
}

/// The VM's scheduler threads (`driver_system_info`).
fn schedulers() -> usize {
    crate::sysinfo::system_info().scheduler_threads
}

/// The number of workers of the running pool (0 before the first job).
pub fn workers() -> usize {
    lock(&GLOBAL)
        .running
        .as_ref()
        .map_or(0, |r| r.threads.len())
}

impl Pool {
    /// Queues `job`, or gives it back when the queue is full.
    pub(crate) fn submit(&self, job: Job) -> Result<(), Job> {
        if !self.reserve() {
            return Err(job);
        }
        self.submit_reserved(job);
        Ok(())
    }

    /// Takes a place in the queue for a job about to be made; `false` when the queue is
    /// full. A request reserves first, so that a full queue leaves it in hand to answer.
    pub(crate) fn reserve(&self) -> bool {
        if self.in_queue.fetch_add(1, Ordering::Relaxed) >= self.capacity {
            self.in_queue.fetch_sub(1, Ordering::Relaxed);
            return false;
        }
        true
    }

    /// Queues a job in a place taken with [`reserve`](Self::reserve).
    pub(crate) fn submit_reserved(&self, job: Job) {
        if job.ordered {
            let port = job.cancel.port.clone();
            let mut lane = lock(&port.lane);
            if lane.running {
                lane.waiting.push_back(job);
                return;
            }
            lane.running = true;
        }
        self.push(job);
    }

    /// Queues a job already counted in `in_queue`, waking an idle worker.
    fn push(&self, job: Job) {
        let mut q = lock(&self.queue);
        if q.shutdown {
            drop(q);
            self.in_queue.fetch_sub(1, Ordering::Relaxed);
            drop_quietly(job);
            return;
        }
        q.jobs.push_back(job);
        let wake = q.idle > 0;
        drop(q);
        if wake {
            self.wake.notify_one();
        }
    }

    /// The next job, or `None` when the pool shuts down.
    fn take(&self) -> Option<Job> {
        let mut q = lock(&self.queue);
        loop {
            if q.shutdown {
                return None;
            }
            if let Some(job) = q.jobs.pop_front() {
                self.in_queue.fetch_sub(1, Ordering::Relaxed);
                return Some(job);
            }
            q.idle += 1;
            q = self.wake.wait(q).unwrap_or_else(PoisonError::into_inner);
            q.idle -= 1;
        }
    }

    /// An ordered job has finished: start the next one of its port's lane.
    fn next_in_lane(&self, port: &PortLife) {
        let next = {
            let mut lane = lock(&port.lane);
            let next = lane.waiting.pop_front();
            lane.running = next.is_some();
            next
        };
        if let Some(job) = next {
            // Still counted in `in_queue` from its submit.
            self.push(job);
        }
    }
}

/// A worker's loop: run jobs until the pool shuts down.
fn worker(pool: &Pool) {
    IS_WORKER.set(true);
    while let Some(job) = pool.take() {
        let Job {
            cancel,
            ordered,
            work,
            _live,
        } = job;
        if cancel.is_cancelled() {
            // Its port closed (or its caller gave up) before it started: never run it.
            drop_quietly(work);
        } else {
            // The work reports its own panic (to its caller or the port's owner); the
            // worker goes on either way.
            let _ = catch(|| work(&cancel));
        }
        if ordered {
            pool.next_in_lane(&cancel.port);
        }
        drop_quietly(cancel);
        drop(_live);
    }
}

/// Called by the `finish` trampoline: stops the pool, drops the jobs still queued, and
/// waits for the running ones until `deadline` (see the [module docs](self)).
pub(crate) fn shutdown(driver: &CStr, deadline: Instant) {
    let Some(running) = lock(&GLOBAL).running.take() else {
        return;
    };
    let left = {
        let mut q = lock(&running.pool.queue);
        q.shutdown = true;
        core::mem::take(&mut q.jobs)
    };
    running.pool.wake.notify_all();
    running
        .pool
        .in_queue
        .fetch_sub(left.len(), Ordering::Relaxed);
    drop_quietly(left);

    let workers = running.threads.len();
    let (count, cv) = &*running.exited;
    let mut exited = lock(count);
    while *exited < workers {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        exited = cv
            .wait_timeout(exited, left)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
    let all_out = *exited == workers;
    drop(exited);
    if all_out {
        for t in running.threads {
            let _ = t.join();
        }
    } else {
        let _ = writeln!(
            std::io::stderr(),
            "erldrv: driver {driver:?} is being unloaded, but a job of its worker pool is still \
             running after {} ms and ignores its Cancel; the library stays mapped for the life \
             of the VM so that the job cannot crash it",
            unload_wait(driver).as_millis()
        );
        keep_mapped();
        // The threads are detached; they exit when their job returns.
        drop(running.threads);
    }
}

/// Keeps this library mapped until the VM exits: a second reference that is never closed,
/// made with `RTLD_NODELETE`. For threads that `finish` gave up waiting for.
pub(crate) fn keep_mapped() {
    let mut info = core::mem::MaybeUninit::<libc::Dl_info>::zeroed();
    let here = keep_mapped as fn() as *const libc::c_void;
    // SAFETY: `dladdr` fills `info` for an address of this library's code; the file name it
    // returns lives as long as the library, which stays loaded during this call.
    unsafe {
        if libc::dladdr(here, info.as_mut_ptr()) == 0 {
            return;
        }
        let info = info.assume_init();
        if info.dli_fname.is_null() {
            return;
        }
        libc::dlopen(info.dli_fname, libc::RTLD_NOW | libc::RTLD_NODELETE);
    }
}
