//! The framework's bookkeeping for one open port ([`PortMeta`]), kept next to the driver's
//! state: which trampolines are on the stack, what the port has been asked to do once the
//! current callback returns, and who owns the port timer.
//!
//! The trampolines drive it through a small interface: [`PortMeta::enter`] and
//! [`PortMeta::leave`] around every callback, [`PortMeta::defer`] for actions that may
//! re-enter the driver, and [`PortMeta::framework_timeout`] when the port timer fires.
//! [`Port`](crate::port::Port) is the driver's view of the same bookkeeping.
//!
//! All of it runs on the scheduler thread that runs the port's callbacks, so plain `Cell`s
//! suffice; every driver call made here happens inside a callback of the port.

use core::cell::{Cell, OnceCell};
use core::ffi::{c_int, c_uint, c_ulong};
use core::ptr;
use std::sync::Arc;

use erldrv_sys as sys;

use crate::error::{ExitReason, StartError};
use crate::jobs::AsyncSubmission;
use crate::panic::drop_quietly;
use crate::pdl::PortDataLock;
use crate::pool::{PortLife, RequestState};
use crate::tell::{START_ERROR, output_tagged};
use crate::term::TermBuilder;

/// An action that can re-enter the driver (the VM may call `stop` or `ready_async` from inside
/// it), so it waits until the running callback has returned and released the port state.
pub(crate) enum Deferred {
    Exit(ExitReason),
    InitAck(Result<(), StartError>),
    Async(AsyncSubmission),
}

/// What the driver asked of the port timer while the framework was using it, applied once
/// the framework is done with it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum TimerRequest {
    /// Nothing asked.
    None,
    /// `set_timer(ms)`.
    Set(u64),
    /// `cancel_timer()`.
    Cancel,
}

/// What a firing port timer means (see [`PortMeta::framework_timeout`]).
pub(crate) enum Timeout {
    /// The driver's own timer: call `timeout`.
    Driver,
    /// The framework's zero timer: its actions are deferred now; run them, and nothing else.
    Framework,
}

/// Bookkeeping the framework keeps for every open port, next to the driver's state.
pub(crate) struct PortMeta {
    pub(crate) raw: sys::ErlDrvPort,
    /// The flags below, in one byte: a callback's way in tests `STOPPED | POISONED` and its
    /// way out `DEFERRED | STOPPED`, one load each.
    flags: Cell<u8>,
    /// Trampolines of this port currently on the stack (the VM may nest them).
    depth: Cell<u32>,
    /// Actions for when the running callback has returned.
    deferred: Cell<Vec<Deferred>>,
    /// Actions waiting for the framework's zero timer.
    timer_actions: Cell<Vec<Deferred>>,
    /// A driver timer request made while the framework used the port timer.
    timer_request: Cell<TimerRequest>,
    /// The monitor being delivered while `process_exit` runs. The VM crashes if the port
    /// closes inside that callback (so a close waits for the framework timer), or if the
    /// driver demonitors this monitor there (so `demonitor_process` refuses it).
    pub(crate) exiting_monitor: Cell<Option<sys::ErlDrvMonitor>>,
    /// Binary (`true`) or list replies to `port_control`.
    pub(crate) control_binary: Cell<bool>,
    /// The builder `output_term` and `send_term` reuse, so that messages stop allocating.
    pub(crate) term_scratch: Cell<Option<Box<TermBuilder>>>,
    /// The port has called `select_owned`: closing it must release what it still selects.
    pub(crate) owns_fds: Cell<bool>,
    /// What the port's pool jobs and requests share with it (made on first use): closed
    /// when the port stops.
    pub(crate) life: OnceCell<Arc<PortLife>>,
    /// The tag of the request the running `control` carries, until `Port::request` takes it.
    pub(crate) request_tag: Cell<Option<PendingTag>>,
    /// Monitors on callers of requests (`Request::watch_caller`), removed once answered.
    pub(crate) watched: Cell<Vec<(sys::ErlDrvMonitor, Arc<RequestState>)>>,
    /// The port data lock, once `queue_handle` has created it: from then on every queue
    /// operation takes it, and `stop` revokes it.
    queue_lock: OnceCell<Arc<PortDataLock>>,
}

/// The tag of the request a `control` call carries (see `crate::request`): it points into
/// the control input, and is set only while the driver's `control` runs.
#[derive(Clone, Copy)]
pub(crate) struct PendingTag {
    pub(crate) ptr: *const u8,
    pub(crate) len: usize,
}

/// `deferred` may be non-empty.
const DEFERRED: u8 = 1;
/// `stop` has run: the state is gone, no callback may touch it again.
const STOPPED: u8 = 2;
/// A callback panicked: the port is closing and its state is not trusted.
const POISONED: u8 = 4;
/// `start` is running: the VM has no port data yet (a re-entrant callback would get NULL)
/// and takes no init ack, so deferred actions wait for the framework timer.
const IN_START: u8 = 8;
/// The framework's zero timer is armed: the port timer is not the driver's meanwhile.
const FRAMEWORK_TIMER: u8 = 16;
/// A `QueueGuard` made by `Port::queue` is alive: the queue is borrowed.
const QUEUE_BORROWED: u8 = 32;
/// The driver entry has no `process_exit`: the VM refuses monitors.
const NO_PROCESS_EXIT: u8 = 64;

impl PortMeta {
    /// The bookkeeping of a port whose `start` is about to run: entered once, in `start`.
    pub(crate) fn starting(raw: sys::ErlDrvPort) -> PortMeta {
        PortMeta {
            raw,
            flags: Cell::new(IN_START),
            depth: Cell::new(1),
            deferred: Cell::new(Vec::new()),
            timer_actions: Cell::new(Vec::new()),
            timer_request: Cell::new(TimerRequest::None),
            exiting_monitor: Cell::new(None),
            control_binary: Cell::new(false),
            term_scratch: Cell::new(None),
            owns_fds: Cell::new(false),
            life: OnceCell::new(),
            request_tag: Cell::new(None),
            watched: Cell::new(Vec::new()),
            queue_lock: OnceCell::new(),
        }
    }

    /// Records whether the driver entry has `process_exit` (set in `start`).
    pub(crate) fn set_process_exit(&self, installed: bool) {
        self.set(NO_PROCESS_EXIT, !installed);
    }

    /// Whether the driver entry has `process_exit`, without which the VM refuses monitors.
    pub(crate) fn has_process_exit(&self) -> bool {
        !self.has(NO_PROCESS_EXIT)
    }

    /// Whether requests watch their callers (`Request::watch_caller`).
    pub(crate) fn has_watches(&self) -> bool {
        let watched = self.watched.take();
        let any = !watched.is_empty();
        self.watched.set(watched);
        any
    }

    /// The port is gone (stopped, or never started): its jobs and requests are cancelled.
    pub(crate) fn close_life(&self) {
        if let Some(life) = self.life.get() {
            life.close();
        }
    }

    #[inline]
    fn has(&self, flag: u8) -> bool {
        self.flags.get() & flag != 0
    }

    #[inline]
    fn set(&self, flag: u8, on: bool) {
        let f = self.flags.get();
        self.flags.set(if on { f | flag } else { f & !flag });
    }

    /// `stop` has run.
    #[inline]
    pub(crate) fn stopped(&self) -> bool {
        self.has(STOPPED)
    }

    /// The port data lock, if `queue_handle` has created it.
    #[inline]
    pub(crate) fn queue_lock(&self) -> Option<&Arc<PortDataLock>> {
        self.queue_lock.get()
    }

    /// The port data lock, created now if needed; `None` if the VM refuses to create it.
    pub(crate) fn queue_lock_or_create(&self) -> Option<&Arc<PortDataLock>> {
        if let Some(lock) = self.queue_lock.get() {
            return Some(lock);
        }
        // SAFETY: the bookkeeping of a live port, used in one of its callbacks; callers
        // check that `stop` has not run.
        let lock = unsafe { PortDataLock::create(self.raw) }?;
        Some(self.queue_lock.get_or_init(|| Arc::new(lock)))
    }

    /// The port is stopping (or never opened): other threads lose the queue.
    pub(crate) fn revoke_queue(&self) {
        if let Some(lock) = self.queue_lock.get() {
            lock.revoke();
        }
    }

    /// Whether a `QueueGuard` of `Port::queue` is alive.
    #[inline]
    pub(crate) fn queue_borrowed(&self) -> bool {
        self.has(QUEUE_BORROWED)
    }

    /// Marks the queue borrowed by a `QueueGuard` of `Port::queue`, or given back.
    #[inline]
    pub(crate) fn set_queue_borrowed(&self, borrowed: bool) {
        self.set(QUEUE_BORROWED, borrowed);
    }

    /// Whether this thread holds the port data lock, which the VM takes in its monitor
    /// functions: called here, they would never return.
    pub(crate) fn queue_locked_here(&self) -> bool {
        self.queue_lock().is_some_and(|lock| lock.held_here())
    }

    /// Whether `process_exit` is running.
    pub(crate) fn in_process_exit(&self) -> bool {
        self.exiting_monitor.get().is_some()
    }

    /// A trampoline enters a port callback: `false` when the callback must be skipped
    /// (stopped, or poisoned by a panic), and then nothing was entered.
    #[inline]
    pub(crate) fn enter(&self) -> bool {
        if self.has(STOPPED | POISONED) {
            return false;
        }
        self.depth.set(self.depth.get() + 1);
        true
    }

    /// A framework path enters even a poisoned port (its pending close must still happen);
    /// `false` once stopped.
    pub(crate) fn enter_for_framework(&self) -> bool {
        if self.stopped() {
            return false;
        }
        self.depth.set(self.depth.get() + 1);
        true
    }

    /// A trampoline leaves: runs what the callback deferred (which may re-enter the driver;
    /// the port's cell stays allocated meanwhile, as the depth count is still held), then
    /// returns whether the cell must be freed now (`stop` ran and this was the outermost
    /// trampoline). `data` is the port data, for `erl_drv_init_ack`.
    #[inline(always)]
    pub(crate) fn leave(&self, data: sys::ErlDrvData) -> bool {
        // The common case in one test: nothing deferred, so nothing can stop the port now,
        // and not stopped, so nothing to free.
        if !self.has(DEFERRED | STOPPED) {
            self.depth.set(self.depth.get() - 1);
            return false;
        }
        self.leave_slow(data)
    }

    #[cold]
    #[inline(never)]
    fn leave_slow(&self, data: sys::ErlDrvData) -> bool {
        if self.has(DEFERRED) {
            // May stop the port (a deferred exit), which is why `stopped` is read after.
            self.run_deferred(data);
        }
        let depth = self.depth.get() - 1;
        self.depth.set(depth);
        depth == 0 && self.stopped()
    }

    /// `stop` begins: the state is about to be moved out. Entered like a callback; `false`
    /// if `stop` already ran.
    pub(crate) fn enter_stop(&self) -> bool {
        if self.stopped() {
            return false;
        }
        self.set(STOPPED, true);
        self.depth.set(self.depth.get() + 1);
        // Jobs not started never start; running ones see their Cancel.
        self.close_life();
        true
    }

    /// `stop` ends: what it deferred is dropped (exits, init acks and jobs requested in
    /// `stop` have nowhere to go). Returns whether the cell must be freed now.
    pub(crate) fn leave_stop(&self) -> bool {
        drop_quietly(self.deferred.take());
        let depth = self.depth.get() - 1;
        self.depth.set(depth);
        depth == 0
    }

    /// `start` returned the state: what it deferred goes to the framework timer, and a
    /// driver timer it asked for starts now unless that timer is armed.
    pub(crate) fn started(&self, data: sys::ErlDrvData) {
        if self.has(DEFERRED) {
            self.run_deferred(data);
        }
        self.set(IN_START, false);
        if !self.has(FRAMEWORK_TIMER) {
            self.apply_timer_request();
        }
        self.depth.set(0);
    }

    /// `start` failed or panicked: the port never opens, queue handles it made find it
    /// closed, and what it deferred is dropped.
    pub(crate) fn start_failed(&self) {
        self.close_life();
        self.revoke_queue();
        drop_quietly(self.deferred.take());
    }

    /// A callback panicked: later callbacks are skipped, what it deferred is dropped, and the
    /// port closes with `reason` once the callback has returned.
    pub(crate) fn poison(&self, reason: ExitReason) {
        self.set(POISONED, true);
        let dropped = self.deferred.take();
        self.defer(Deferred::Exit(reason));
        drop_quietly(dropped);
    }

    /// Queues an action for when the running callback has returned.
    pub(crate) fn defer(&self, action: Deferred) {
        let mut list = self.deferred.take();
        list.push(action);
        self.deferred.set(list);
        self.set(DEFERRED, true);
    }

    /// The port timer fired: whose was it? For the framework's, its actions move to the
    /// deferred list (the caller runs them by entering and leaving) and a driver timer
    /// requested meanwhile starts.
    pub(crate) fn framework_timeout(&self) -> Timeout {
        if !self.has(FRAMEWORK_TIMER) {
            return Timeout::Driver;
        }
        self.set(FRAMEWORK_TIMER, false);
        self.apply_timer_request();
        for action in self.timer_actions.take() {
            self.defer(action);
        }
        Timeout::Framework
    }

    /// The driver's `set_timer`. Ignored in `stop`; recorded while the framework uses the
    /// port timer.
    pub(crate) fn set_timer(&self, millis: u64) {
        if self.stopped() {
            return;
        }
        if self.timer_borrowed() {
            self.timer_request.set(TimerRequest::Set(millis));
        } else {
            arm_timer(self.raw, millis);
        }
    }

    /// The driver's `cancel_timer`, under the same rules as [`PortMeta::set_timer`].
    pub(crate) fn cancel_timer(&self) {
        if self.stopped() {
            return;
        }
        if self.timer_borrowed() {
            self.timer_request.set(TimerRequest::Cancel);
        } else {
            // SAFETY: in a callback of this port other than `stop` (checked above).
            unsafe { sys::driver_cancel_timer(self.raw) };
        }
    }

    /// Whether the driver's timer requests must wait for the framework.
    fn timer_borrowed(&self) -> bool {
        self.has(IN_START | FRAMEWORK_TIMER)
    }

    fn apply_timer_request(&self) {
        match self.timer_request.replace(TimerRequest::None) {
            TimerRequest::None => {}
            TimerRequest::Set(ms) => arm_timer(self.raw, ms),
            // Nothing to cancel: the framework's timer has fired or was never armed.
            TimerRequest::Cancel => {}
        }
    }

    /// Queues an action for the framework's zero timer, arming it if needed.
    fn defer_to_timer(&self, action: Deferred) {
        let mut list = self.timer_actions.take();
        list.push(action);
        self.timer_actions.set(list);
        if !self.has(FRAMEWORK_TIMER) {
            self.set(FRAMEWORK_TIMER, true);
            arm_timer(self.raw, 0);
        }
    }

    /// Runs the deferred actions. Each may re-enter the driver (the VM can call `stop` or
    /// `ready_async` from inside them).
    #[cold]
    fn run_deferred(&self, data: sys::ErlDrvData) {
        loop {
            self.set(DEFERRED, false);
            let list = self.deferred.take();
            if list.is_empty() {
                return;
            }
            for action in list {
                if self.stopped() {
                    // The port is gone; unsubmitted jobs are freed by their own Drop.
                    drop_quietly(action);
                    continue;
                }
                let closes = matches!(action, Deferred::Exit(_) | Deferred::InitAck(Err(_)));
                // Inside start the VM has no port data yet and takes no init ack; closing the
                // port inside process_exit crashes the VM (it still works on the monitor
                // afterwards). Both wait for a zero timer, right after the callback.
                if self.has(IN_START) || (closes && self.in_process_exit()) {
                    self.defer_to_timer(action);
                    continue;
                }
                // SAFETY: in a callback of this live port (not stopped, not in start, and
                // no close inside process_exit); no Rust borrow of the port state is alive
                // while these calls may re-enter the driver.
                unsafe {
                    match action {
                        Deferred::Exit(reason) => exit_port(self.raw, reason),
                        Deferred::InitAck(Ok(())) => sys::erl_drv_init_ack(self.raw, data),
                        Deferred::InitAck(Err(e)) => {
                            // The port closes, and the VM hands `stop` an error code
                            // instead of the port data: other threads lose the queue now.
                            self.revoke_queue();
                            sys::erl_drv_init_ack(self.raw, start_error(self.raw, e))
                        }
                        Deferred::Async(mut job) => {
                            let mut key: c_uint = sys::driver_async_port_key(self.raw);
                            let job_data = core::mem::replace(&mut job.data, ptr::null_mut());
                            sys::driver_async(
                                self.raw,
                                &mut key,
                                Some(job.invoke),
                                job_data,
                                Some(job.free),
                            );
                        }
                    }
                }
            }
        }
    }
}

/// # Safety
/// In a callback of the live port `raw`, other than `start` and `process_exit`.
unsafe fn exit_port(raw: sys::ErlDrvPort, reason: ExitReason) {
    // SAFETY: per the function contract; atom names are 'static NUL-terminated strings.
    unsafe {
        match reason {
            ExitReason::Normal => sys::driver_exit(raw, 0),
            ExitReason::Posix(e) => sys::driver_failure_posix(raw, e),
            ExitReason::Atom(a) => sys::driver_failure_atom(raw, a.as_ptr().cast_mut()),
            ExitReason::Code(c) => sys::driver_failure(raw, c),
            ExitReason::Eof => sys::driver_failure_eof(raw),
        };
    }
}

/// The `ErlDrvData` error code of a start error, for `start`'s return or `erl_drv_init_ack`.
/// A refusal with a reason first sends the reason to the opener (the port owner).
///
/// # Safety
/// In `start` or another callback of the port `raw`, on its scheduler thread.
#[cold]
pub(crate) unsafe fn start_error(raw: sys::ErlDrvPort, e: StartError) -> sys::ErlDrvData {
    match e {
        StartError::General => sys::ERL_DRV_ERROR_GENERAL,
        StartError::Errno(code) => {
            set_errno(code);
            sys::ERL_DRV_ERROR_ERRNO
        }
        StartError::Badarg => sys::ERL_DRV_ERROR_BADARG,
        StartError::Refused(reason) => {
            // SAFETY: per the contract.
            unsafe { output_tagged(raw, START_ERROR, &reason) };
            sys::ERL_DRV_ERROR_BADARG
        }
    }
}

fn set_errno(code: i32) {
    unsafe extern "C" {
        #[cfg_attr(
            any(target_os = "macos", target_os = "ios", target_os = "freebsd"),
            link_name = "__error"
        )]
        #[cfg_attr(
            not(any(target_os = "macos", target_os = "ios", target_os = "freebsd")),
            link_name = "__errno_location"
        )]
        fn errno_location() -> *mut c_int;
    }
    // SAFETY: the C library returns this thread's errno slot.
    unsafe { *errno_location() = code };
}

/// The longest port timer, in milliseconds (about 49.7 days): `set_timer` clamps to it.
pub(crate) const MAX_TIMER_MS: u64 = u32::MAX as u64;

/// `driver_set_timer`. Called only in a callback of the port `raw` other than `stop` (by
/// `PortMeta::set_timer`, which checks, and by the framework in `start`, `process_exit` and
/// the framework timer's `timeout`).
fn arm_timer(raw: sys::ErlDrvPort, millis: u64) {
    // The VM computes with signed time and fires absurdly long timers at once; the longest
    // Erlang timer (`erlang:send_after/3`) is the cap.
    let ms = millis.min(MAX_TIMER_MS) as c_ulong;
    // SAFETY: in a callback of this port other than `stop`, per the above.
    unsafe { sys::driver_set_timer(raw, ms) };
}
