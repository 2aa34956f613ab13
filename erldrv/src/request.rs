//! One port, many callers: [`Request`], a call from one Erlang process whose reply goes
//! straight to that process, tagged, from whichever thread finishes the work; and the
//! `Port` methods that start pool jobs ([`Port::request`], [`Port::request_in`],
//! [`Port::spawn_job`]) and, with the `tokio` feature, futures (`Request::spawn_future`,
//! `Port::spawn_future`).
//!
//! The Erlang side is in the `erldrv` module: `erldrv:request/3,4` (send and wait),
//! `erldrv:send_request/3` and `erldrv:await/2` (send now, wait later), and
//! `erldrv:send_command_request/2` for drivers that take requests in `outputv`.

use std::sync::Arc;

use erldrv_sys as sys;

use crate::error::{Badarg, MonitorError};
use crate::ids::{Monitor, Pid, PortId};
use crate::iovec::{IoVec, OwnedIoVec};
use crate::panic::{Panic, catch, drop_quietly};
use crate::pool::{self, Busy, Cancel, Job, PortLife, RequestState};
use crate::port::Port;
#[cfg(feature = "tokio")]
use crate::runtime;
use crate::state::PendingTag;
use crate::term::{Atom, BuildError, RawTerm, TermBuilder, TermWriter, ToTerm};

/// The `port_control` command `erldrv:send_request/3` uses: the framework takes it, and
/// calls the driver's [`control`](crate::Driver::control) with the caller's command.
pub(crate) const REQUEST_COMMAND: u32 = 0xFFFF_FF01;
/// The `port_control` command `erldrv:await/2` uses to cancel a request it gave up on.
pub(crate) const CANCEL_COMMAND: u32 = 0xFFFF_FF02;

static OK: Atom = Atom::new("ok");
static ERROR: Atom = Atom::new("error");
static BUSY: Atom = Atom::new("busy");
static DROPPED: Atom = Atom::new("erldrv_no_reply");
static PANIC: Atom = Atom::new("erldrv_panic");
static JOB_PANIC: Atom = Atom::new("erldrv_job_panic");
static BADARG: Atom = Atom::new("badarg");

/// A call from one Erlang process, made with `erldrv:request/3,4` (or `send_request/3`,
/// `send_command_request/2`), to be answered to that process.
///
/// Get it in [`control`](crate::Driver::control) with [`Port::request`], or in
/// [`outputv`](crate::Driver::outputv) with [`Port::request_in`]. It is plain data
/// (`Send + 'static`): answer it now ([`reply`](Request::reply)), or hand it to the
/// driver's worker pool with the work to do ([`spawn`](Request::spawn)), which answers it
/// from the worker when the work returns. Meanwhile the port serves other callers: each
/// caller waits for its own reply only, and any number of requests run at once, one per
/// worker.
///
/// The caller receives `{Tag, {ok, Value}}` or `{Tag, {error, Reason}}`, where `Tag` is the
/// reference `erldrv:send_request/3` made, and `erldrv:await/2` returns `{ok, Value}` or
/// `{error, Reason}`. Reasons the framework gives:
///
/// | reason | when |
/// |---|---|
/// | `busy` | the worker pool's queue was full, or as many futures as the bound were alive ([`Busy`]) |
/// | `{erldrv_panic, Message}` | the job panicked (the port stays open) or `control` did (the port closes) |
/// | `{badarg, Reason}`, `badarg` | `control` refused the request (`Err(Badarg)`) |
/// | `erldrv_no_reply` | the driver dropped the request without answering it |
/// | `closed` | the port closed before answering (from the caller's port monitor) |
/// | `timeout` | `erldrv:await/2` gave up; the request was cancelled |
///
/// ```no_run
/// use erldrv::{Badarg, Driver, Port, Reply, StartError, erl_driver};
///
/// struct Hasher;
///
/// #[erl_driver(name = "hasher_drv")]
/// impl Driver for Hasher {
///     fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
///         Ok(Hasher)
///     }
///
///     // Erlang: {ok, Sum} = erldrv:request(Port, 1, Data).
///     fn control(&mut self, port: &Port, _cmd: u32, data: &[u8], _r: &mut Reply) -> Result<(), Badarg> {
///         let request = port.request().ok_or(Badarg::because("call with erldrv:request/3"))?;
///         // control's data is lent for this call only: copy what the job keeps.
///         let data = data.to_vec();
///         let _ = request.spawn(move |_cancel| {
///             Ok::<u64, ()>(data.iter().map(|&b| u64::from(b)).sum())
///         });
///         Ok(())
///     }
/// }
/// ```
pub struct Request {
    /// The caller's tag, in the external format without the version byte.
    tag: Arc<[u8]>,
    caller: Pid,
    port: Arc<PortLife>,
    state: Arc<RequestState>,
    /// Answered or cancelled: nothing to do when dropped.
    done: bool,
}

impl Request {
    /// The process that made the request (and gets the reply).
    pub fn caller(&self) -> Pid {
        self.caller
    }

    /// The port the request was made to.
    pub fn port_id(&self) -> PortId {
        self.port.port
    }

    /// The request's tag as the caller made it (a reference), as a term.
    pub fn tag(&self) -> RawTerm<'_> {
        RawTerm::trusted(&self.tag)
    }

    /// Watches the caller (a monitor, `driver_monitor_process`): if it exits before the
    /// request is answered, the request is cancelled, and its job sees
    /// [`Cancel::is_cancelled`] turn true. Without it a dead caller's job runs to its end,
    /// and its reply is dropped by the VM. Call it in the callback that took the request;
    /// `false` if the port could not monitor the caller (it has exited already, or the port
    /// is stopping).
    ///
    /// The monitors arrive in the driver entry's `process_exit`: write
    /// `#[erl_driver(watch_callers)]` (or a [`process_exit`](crate::Driver::process_exit)
    /// method) on a driver that watches callers. Without either the entry has no
    /// `process_exit`, the VM refuses the monitor, and this returns `false` and says so on
    /// standard error.
    ///
    /// The monitor costs a signal to the caller each way; it is removed after the answer, at
    /// one of the port's next requests, and goes with the port.
    ///
    /// ```no_run
    /// use erldrv::{Badarg, Driver, Port, Reply, StartError, erl_driver};
    ///
    /// struct Slow;
    ///
    /// #[erl_driver(name = "slow_drv", watch_callers)]
    /// impl Driver for Slow {
    ///     fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
    ///         Ok(Slow)
    ///     }
    ///
    ///     fn control(&mut self, port: &Port, _: u32, _: &[u8], _: &mut Reply)
    ///         -> Result<(), Badarg>
    ///     {
    ///         if let Some(request) = port.request() {
    ///             request.watch_caller(port);
    ///             let _ = request.spawn(|cancel| -> Result<u32, ()> {
    ///                 while !cancel.is_cancelled() { /* a step of the work */ break; }
    ///                 Ok(1)
    ///             });
    ///         }
    ///         Ok(())
    ///     }
    /// }
    /// ```
    pub fn watch_caller(&self, port: &Port<'_>) -> bool {
        port.forget_answered_watches();
        let monitor = match port.monitor_process(self.caller) {
            Ok(monitor) => monitor,
            Err(e) => {
                if e == MonitorError::Refused && !port.meta().has_process_exit() {
                    crate::panic::report(format_args!(
                        "erldrv: Request::watch_caller: the driver entry has no process_exit, \
                         so the VM refuses the monitor; add `watch_callers` to #[erl_driver(..)]"
                    ));
                }
                return false;
            }
        };
        let meta = port.meta();
        let mut watched = meta.watched.take();
        watched.push((monitor.raw(), self.state.clone()));
        meta.watched.set(watched);
        true
    }

    /// A flag that turns true when nobody wants the answer any more: the port closed, or the
    /// caller's `erldrv:await/2` timed out and cancelled the request (or, when
    /// [watched](Request::watch_caller), the caller exited).
    pub fn cancel_token(&self) -> Cancel {
        Cancel::new(self.port.clone(), Some(self.state.clone()))
    }

    /// Answers the caller now, from any thread: `{Tag, {ok, Value}}` for `Ok(Value)`,
    /// `{Tag, {error, Reason}}` for `Err(Reason)`.
    ///
    /// # Errors
    /// The term was refused ([`BuildError`]); the request is then answered with
    /// `{error, erldrv_no_reply}`. Not delivered: the caller is gone, the port has closed,
    /// or the caller cancelled the request.
    pub fn reply<T: ToTerm + ?Sized, E: ToTerm + ?Sized>(
        self,
        result: Result<&T, &E>,
    ) -> Result<(), BuildError> {
        pool::with_builder(|b| {
            match result {
                Ok(value) => self.write(b, &OK, value),
                Err(reason) => self.write(b, &ERROR, reason),
            }
            if let Err(e) = b.check() {
                drop(self); // answers erldrv_no_reply
                return Err(e);
            }
            self.deliver(b)
        })
    }

    /// Runs `work` on the driver's worker pool (see [`pool`](crate::pool)) and answers the
    /// caller with what it returns: `Ok(Value)` as `{ok, Value}`, `Err(Reason)` as
    /// `{error, Reason}`. A panic in `work` answers `{error, {erldrv_panic, Message}}` to this
    /// caller only; the port and the other requests go on.
    ///
    /// Jobs of one port run on all workers at once, in no particular order (use
    /// [`spawn_ordered`](Request::spawn_ordered) for first-come, first-served). `work` gets
    /// the request's [`Cancel`]: a long job should poll it. If the port closes or the caller
    /// cancels before the job starts, the job is dropped without running.
    ///
    /// # Errors
    /// [`Busy`]: the queue is full; the caller has been answered `{error, busy}`.
    pub fn spawn<T, E, F>(self, work: F) -> Result<(), Busy>
    where
        F: FnOnce(&Cancel) -> Result<T, E> + Send + 'static,
        T: ToTerm,
        E: ToTerm,
    {
        self.submit(false, work)
    }

    /// As [`spawn`](Request::spawn), but the port's jobs started with `spawn_ordered` (or
    /// [`Port::spawn_job_ordered`]) run one at a time, in the order they were started. They
    /// still run beside other ports' jobs and this port's unordered ones.
    ///
    /// # Errors
    /// As [`spawn`](Request::spawn).
    pub fn spawn_ordered<T, E, F>(self, work: F) -> Result<(), Busy>
    where
        F: FnOnce(&Cancel) -> Result<T, E> + Send + 'static,
        T: ToTerm,
        E: ToTerm,
    {
        self.submit(true, work)
    }

    fn submit<T, E, F>(self, ordered: bool, work: F) -> Result<(), Busy>
    where
        F: FnOnce(&Cancel) -> Result<T, E> + Send + 'static,
        T: ToTerm,
        E: ToTerm,
    {
        let Some(pool) = pool::pool() else {
            self.answer_busy();
            return Err(Busy);
        };
        // A place first: once the job holds the request, a full queue could only drop it
        // (answering `erldrv_no_reply` instead of `busy`).
        if !pool.reserve() {
            self.answer_busy();
            return Err(Busy);
        }
        let cancel = self.cancel_token();
        let request = self;
        let job = Job::new(
            cancel,
            ordered,
            Box::new(move |cancel: &Cancel| match catch(|| work(cancel)) {
                Ok(Ok(value)) => drop(request.reply::<T, ()>(Ok(&value))),
                Ok(Err(reason)) => drop(request.reply::<(), E>(Err(&reason))),
                Err(panic) => request.answer_panic(&panic),
            }),
        );
        pool.submit_reserved(job);
        Ok(())
    }

    /// Runs `future` on the driver's async runtime (feature `tokio`, see
    /// [`runtime`](crate::runtime)) and answers the caller with its output, as
    /// [`spawn`](Request::spawn) does: `Ok(Value)` as `{ok, Value}`, `Err(Reason)` as
    /// `{error, Reason}`, a panic as `{error, {erldrv_panic, Message}}` to this caller only.
    ///
    /// While the future waits it holds no thread, so any number of requests can wait at
    /// once. It is dropped, wherever it waits, when the port closes or the caller cancels
    /// the request (`erldrv:await/2` timed out); if either happened already, it never runs.
    ///
    /// # Errors
    /// [`Busy`]: as many futures as the bound are alive, or the runtime could not start;
    /// the caller has been answered `{error, busy}`.
    #[cfg(feature = "tokio")]
    pub fn spawn_future<T, E, F>(self, future: F) -> Result<(), Busy>
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
        T: ToTerm,
        E: ToTerm,
    {
        if self.state.is_cancelled() || self.port.is_closed() {
            // Nobody waits for the answer; dropping the request sends nothing.
            drop_quietly(future);
            return Ok(());
        }
        let reservation = match runtime::reserve() {
            Ok(reservation) => reservation,
            Err(Busy) => {
                drop_quietly(future);
                self.answer_busy();
                return Err(Busy);
            }
        };
        let (port, state) = (self.port.clone(), self.state.clone());
        let request = self;
        reservation.spawn(&port, Some(&state), future, move |outcome| match outcome {
            Ok(Ok(value)) => drop(request.reply::<T, ()>(Ok(&value))),
            Ok(Err(reason)) => drop(request.reply::<(), E>(Err(&reason))),
            Err(panic) => request.answer_panic(&panic),
        });
        Ok(())
    }

    /// `{Tag, {Status, Value}}` into `b`.
    fn write<T: ToTerm + ?Sized>(&self, b: &mut TermBuilder, status: &Atom, value: &T) {
        b.tuple(2);
        b.raw(RawTerm::trusted(&self.tag));
        b.tuple(2);
        b.atom(status);
        b.value(value);
    }

    /// Sends the built reply, unless the request was cancelled.
    fn deliver(mut self, b: &mut TermBuilder) -> Result<(), BuildError> {
        self.done = true;
        self.port.unregister(&self.tag);
        if !self.state.answer() {
            return Err(BuildError::not_delivered());
        }
        let (port, to) = (self.port.port.as_raw(), self.caller.as_raw());
        // SAFETY: erl_drv_send_term may be called from any thread with a port id and a pid
        // made in a callback; the VM looks both up and refuses when either is gone. The
        // specification comes from the builder, without atom lookups off the scheduler.
        b.deliver_anywhere(|spec, len| unsafe { sys::erl_drv_send_term(port, to, spec, len) })
    }

    /// `{Tag, {error, Reason}}` for a framework reason.
    fn answer_error<T: ToTerm + ?Sized>(self, reason: &T) {
        pool::with_builder(|b| {
            self.write(b, &ERROR, reason);
            let _ = self.deliver(b);
        });
    }

    fn answer_busy(self) {
        self.answer_error(&BUSY);
    }

    fn answer_panic(self, panic: &Panic) {
        self.answer_error(&(&PANIC, panic.message()));
    }
}

impl Drop for Request {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        self.done = true;
        self.port.unregister(&self.tag);
        // Dropped unanswered while the port is open and the caller waits: say so, rather
        // than leave the caller waiting for its timeout.
        if self.port.is_closed() || !self.state.answer() {
            return;
        }
        let mut b = TermBuilder::new();
        self.write(&mut b, &ERROR, &DROPPED);
        let (port, to) = (self.port.port.as_raw(), self.caller.as_raw());
        // SAFETY: as in `deliver`.
        let _ =
            b.deliver_anywhere(|spec, len| unsafe { sys::erl_drv_send_term(port, to, spec, len) });
    }
}

impl core::fmt::Debug for Request {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Request")
            .field("caller", &self.caller)
            .field("port", &self.port.port)
            .finish_non_exhaustive()
    }
}

/// Splits the header `erldrv:send_request/3` puts before the caller's data:
/// `<<Command:32, TagSize:8, Tag:TagSize/binary, Data/binary>>`, the tag in the external
/// format with its version byte. Returns the command, the tag (without the version byte)
/// and the data.
pub(crate) fn split_control_header(input: &[u8]) -> Result<(u32, &[u8], &[u8]), Badarg> {
    let bad = || Badarg::because("erldrv: a malformed request header (use erldrv:send_request/3)");
    let (cmd, rest) = input.split_first_chunk::<4>().ok_or_else(bad)?;
    let (tag, data) = split_tag(rest).ok_or_else(bad)?;
    Ok((u32::from_be_bytes(*cmd), tag, data))
}

/// `<<TagSize:8, Tag:TagSize/binary, Rest/binary>>`, the tag a well-formed reference in the
/// external format.
fn split_tag(input: &[u8]) -> Option<(&[u8], &[u8])> {
    let (&size, rest) = input.split_first()?;
    let size = usize::from(size);
    if rest.len() < size || size < 2 || rest[0] != 131 {
        return None;
    }
    let tag = &rest[1..size];
    // A reference: NEWER_REFERENCE_EXT or NEW_REFERENCE_EXT.
    if !matches!(tag.first(), Some(b'Z' | b'r')) {
        return None;
    }
    RawTerm::new(tag).ok()?;
    Some((tag, &rest[size..]))
}

impl PendingTag {
    pub(crate) fn new(tag: &[u8]) -> PendingTag {
        PendingTag {
            ptr: tag.as_ptr(),
            len: tag.len(),
        }
    }
}

impl Port<'_> {
    /// The request this `control` call carries, when the caller used
    /// `erldrv:request/3,4` or `erldrv:send_request/3`; `None` for a plain `port_control`,
    /// or when it was taken already. `control` then gets the caller's own command and data.
    ///
    /// If `control` returns without taking the request, the framework answers it from what
    /// `control` did: `{ok, ReplyBytes}` (the [`Reply`](crate::Reply), as a binary) when it
    /// returned `Ok`, `{error, {badarg, Reason}}` (or `{error, badarg}`) when it refused.
    /// So a quick command can answer in `control` itself, through the same Erlang call.
    pub fn request(&self) -> Option<Request> {
        let meta = self.meta();
        let pending = meta.request_tag.take()?;
        // SAFETY: the tag points into the control input, which lives for this callback; it
        // is only set while the driver's control runs.
        let tag = unsafe { core::slice::from_raw_parts(pending.ptr, pending.len) };
        Some(self.new_request(tag))
    }

    /// The request an `outputv` call carries, sent with `erldrv:send_command_request/2`, and
    /// the caller's data after it, kept by reference (no copy of the binaries, however big):
    /// hand both to [`Request::spawn`].
    ///
    /// # Errors
    /// The data does not start with a request header (it was not sent by
    /// `erldrv:send_command_request/2`).
    pub fn request_in(&self, data: &IoVec<'_>) -> Result<(Request, OwnedIoVec), Badarg> {
        let bad = || Badarg::because("erldrv: outputv data without a request header");
        // The header is small; gather its bytes, which may span segments.
        let mut head = [0u8; 256];
        let mut got = 0;
        for s in data.segments() {
            let b = s.bytes();
            let n = b.len().min(head.len() - got);
            head[got..got + n].copy_from_slice(&b[..n]);
            got += n;
            if got == head.len() {
                break;
            }
        }
        let head = &head[..got];
        let (tag, _) = split_tag(head).ok_or_else(bad)?;
        let header_len = 1 + 1 + tag.len();
        Ok((self.new_request(tag), data.owned_from(header_len)))
    }

    fn new_request(&self, tag: &[u8]) -> Request {
        // Known atom handles let workers send replies without the external format.
        let _ = (OK.term_data(), ERROR.term_data());
        let port = self.life();
        let state = Arc::new(RequestState::new());
        let tag: Arc<[u8]> = Arc::from(tag);
        port.register(tag.clone(), state.clone());
        Request {
            tag,
            caller: self.caller(),
            port,
            state,
            done: false,
        }
    }

    /// A flag that turns true when this port closes: for a job of
    /// [`spawn_async`](crate::Driver::spawn_async) or a thread of the driver's, to stop
    /// early once its work is of no use.
    pub fn cancel_token(&self) -> Cancel {
        Cancel::new(self.life(), None)
    }

    /// Removes the monitors of watched requests that have been answered (or cancelled).
    fn forget_answered_watches(&self) {
        let meta = self.meta();
        let mut watched = meta.watched.take();
        watched.retain(|(monitor, state)| {
            state.is_pending() || {
                // Fired already if the caller exited after the answer: nothing to remove.
                let _ = self.demonitor_process(&Monitor::from_raw(*monitor));
                false
            }
        });
        meta.watched.set(watched);
    }

    /// This port's shared part (made on first use).
    pub(crate) fn life(&self) -> Arc<PortLife> {
        self.meta()
            .life
            .get_or_init(|| Arc::new(PortLife::new(self.id())))
            .clone()
    }

    /// Runs `work` on the driver's worker pool (see [`pool`](crate::pool)): work for the
    /// port that answers no caller (it sends what it has to say with a
    /// [`Sender`](crate::Sender), made here with [`Port::sender`]). Jobs of one port run on
    /// all workers at once; [`spawn_job_ordered`](Port::spawn_job_ordered) runs them one at a
    /// time, in order.
    ///
    /// If the port closes before the job starts, it never runs; a running job sees its
    /// [`Cancel`] turn true. A panic in `work` leaves the port open; the owner receives
    /// `{Port, {erldrv_job_panic, Message}}`.
    ///
    /// # Errors
    /// [`Busy`]: the queue is full; `work` is dropped.
    pub fn spawn_job(&self, work: impl FnOnce(&Cancel) + Send + 'static) -> Result<(), Busy> {
        self.submit_job(false, Box::new(work))
    }

    /// As [`spawn_job`](Port::spawn_job), but this port's ordered jobs run one at a time, in
    /// the order they were started.
    ///
    /// # Errors
    /// As [`spawn_job`](Port::spawn_job).
    pub fn spawn_job_ordered(
        &self,
        work: impl FnOnce(&Cancel) + Send + 'static,
    ) -> Result<(), Busy> {
        self.submit_job(true, Box::new(work))
    }

    /// Runs `future` on the driver's async runtime (feature `tokio`, see
    /// [`runtime`](crate::runtime)): work for the port that answers no caller, like
    /// [`spawn_job`](Port::spawn_job), but holding no thread while it waits.
    ///
    /// The future is dropped, wherever it waits, when the port closes (started in `stop`,
    /// it never runs). A panic in it leaves the port open; the owner receives
    /// `{Port, {erldrv_job_panic, Message}}`.
    ///
    /// # Errors
    /// [`Busy`]: as many futures as the bound are alive, or the runtime could not start;
    /// `future` is dropped.
    #[cfg(feature = "tokio")]
    pub fn spawn_future(
        &self,
        future: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), Busy> {
        let reservation = match runtime::reserve() {
            Ok(reservation) => reservation,
            Err(Busy) => {
                drop_quietly(future);
                return Err(Busy);
            }
        };
        let owner = self.sender();
        reservation.spawn(&self.life(), None, future, move |outcome| {
            if let Err(panic) = outcome {
                let _ = owner.output_term(&(owner.port_id(), (&JOB_PANIC, panic.message())));
            }
        });
        Ok(())
    }

    fn submit_job(&self, ordered: bool, work: Box<dyn FnOnce(&Cancel) + Send>) -> Result<(), Busy> {
        let pool = pool::pool().ok_or(Busy)?;
        let port = self.life();
        let owner = self.sender();
        let cancel = Cancel::new(port, None);
        let job = Job::new(
            cancel,
            ordered,
            Box::new(move |cancel: &Cancel| {
                if let Err(panic) = catch(|| work(cancel)) {
                    let _ = owner.output_term(&(owner.port_id(), (&JOB_PANIC, panic.message())));
                }
            }),
        );
        pool.submit(job).map_err(|job| {
            drop_quietly(job);
            Busy
        })
    }
}

/// The control trampoline's answer to a request `control` did not take: `{ok, Bytes}`, or
/// `{error, {badarg, Reason}}`, or the panic.
pub(crate) fn answer_untaken(port: &Port<'_>, tag: &[u8], outcome: Untaken<'_>) {
    let mut b = TermBuilder::new();
    b.tuple(2);
    b.raw(RawTerm::trusted(tag));
    b.tuple(2);
    match outcome {
        Untaken::Replied(bytes) => {
            b.atom(&OK);
            b.binary(bytes);
        }
        Untaken::Refused(Some(reason)) => {
            b.atom(&ERROR);
            b.value(&(&BADARG, reason));
        }
        Untaken::Refused(None) => {
            b.atom(&ERROR);
            b.atom(&BADARG);
        }
        Untaken::Panicked(message) => {
            b.atom(&ERROR);
            b.value(&(&PANIC, message));
        }
    }
    let _ = port.send_built(port.caller(), &mut b);
}

/// See [`answer_untaken`].
pub(crate) enum Untaken<'a> {
    Replied(&'a [u8]),
    Refused(Option<&'a str>),
    Panicked(&'a str),
}

/// `erldrv:await/2` cancels the request tagged `tag` (the control data): `<<1>>` if no
/// reply will come, `<<0>>` if it has been sent or is being sent.
pub(crate) fn cancel(port: &Port<'_>, data: &[u8]) -> u8 {
    let Some(life) = port.meta().life.get() else {
        return 0;
    };
    let Some((tag, _)) = split_tag(data) else {
        return 0;
    };
    u8::from(life.cancel(tag))
}

/// `process_exit` for a monitor of [`Request::watch_caller`]: the caller exited, so its
/// request is cancelled. `false` when the monitor is not one of those (it is the driver's).
pub(crate) fn caller_exited(port: &Port<'_>, monitor: &Monitor) -> bool {
    let meta = port.meta();
    let mut watched = meta.watched.take();
    let found = watched
        .iter()
        .position(|(m, _)| Monitor::from_raw(*m) == *monitor);
    if let Some(i) = found {
        let (_, state) = watched.swap_remove(i);
        state.cancel();
    }
    meta.watched.set(watched);
    found.is_some()
}
