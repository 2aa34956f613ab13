//! The runtime behind `#[erl_driver]`: the C-ABI trampolines and the driver entry.
//!
//! The attribute only builds a [`Slots`] value; everything that runs lives here, as ordinary
//! generic functions: turning the VM's pointers into safe views, catching panics, deferring
//! re-entrant actions and freeing port state.

use core::cell::UnsafeCell;
use core::ffi::{CStr, c_char, c_int, c_uint, c_void};
use core::mem::MaybeUninit;
use core::ptr;
use std::any::{Any, TypeId};
use std::io::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use erldrv_sys as sys;

use crate::port::{self, AsyncSubmission, Deferred, PortMeta};
use crate::reply::ReplyKind;
use crate::term::{DecodeError, Decoder, Encoder, FromTerm, ToTerm};
use crate::{CallError, Driver, Event, ExitReason, IoVec, Monitor, Port, Reply, StartError};

pub use erldrv_sys;

/// Implemented by `#[erl_driver]`: the facts the runtime needs beyond the trait. Not a
/// subtrait of [`Driver`], so that a failing `impl Driver` is reported only once.
pub trait DriverEntry {
    /// The driver name, as given to `erl_ddll:load_driver/2` and `open_port/2`.
    const NAME: &'static CStr;
}

/// Which entry slots the impl block fills, and the driver's name and flags.
pub struct Slots {
    pub name: &'static CStr,
    pub flags: c_int,
    pub init: bool,
    pub finish: bool,
    pub output: bool,
    pub outputv: bool,
    pub control: bool,
    pub call: bool,
    pub ready_input: bool,
    pub ready_output: bool,
    pub flush: bool,
    pub process_exit: bool,
    pub stop_select: bool,
}

/// Builds the driver entry for `D`. Always present: `start` and `stop` (they create and free
/// the port state), `timeout` and `ready_async` (the framework's own timer and async jobs
/// need them; unwritten, they do nothing for the driver), `finish` (it joins the driver's
/// threads). Every other slot is NULL unless written.
pub const fn entry<D: Driver + DriverEntry>(s: &Slots) -> sys::ErlDrvEntry {
    macro_rules! slot {
        ($on:expr, $f:expr) => {
            if $on { Some($f) } else { None }
        };
    }
    sys::ErlDrvEntry {
        init: slot!(s.init, init::<D>),
        start: Some(start::<D>),
        stop: Some(stop::<D>),
        output: slot!(s.output, output::<D>),
        ready_input: slot!(s.ready_input, ready_input::<D>),
        ready_output: slot!(s.ready_output, ready_output::<D>),
        driver_name: s.name.as_ptr().cast_mut(),
        // Always installed: it joins the driver's threads (`crate::thread`) before unload.
        finish: Some(finish::<D>),
        handle: ptr::null_mut(),
        control: slot!(s.control, control::<D>),
        // An init_ack driver needs the timer to deliver an ack requested in `start`.
        // Always installed: the framework uses the port timer for actions that must wait
        // until `start` or `process_exit` has returned.
        timeout: Some(timeout::<D>),
        outputv: slot!(s.outputv, outputv::<D>),
        // Always installed: async jobs are the framework's, and a job's panic must close
        // its port even when the driver does not take results.
        ready_async: Some(ready_async::<D>),
        flush: slot!(s.flush, flush::<D>),
        call: slot!(s.call, call::<D>),
        unused_event_callback: None,
        extended_marker: sys::ERL_DRV_EXTENDED_MARKER as c_int,
        major_version: sys::ERL_DRV_EXTENDED_MAJOR_VERSION as c_int,
        minor_version: sys::ERL_DRV_EXTENDED_MINOR_VERSION as c_int,
        driver_flags: s.flags,
        handle2: ptr::null_mut(),
        process_exit: slot!(s.process_exit, process_exit::<D>),
        stop_select: slot!(s.stop_select, stop_select::<D>),
        emergency_close: None,
    }
}

/// The driver entry in writable memory, as the VM requires (it stores `handle` and
/// `handle2` in it), without `static mut`.
#[repr(transparent)]
pub struct EntryCell(UnsafeCell<sys::ErlDrvEntry>);

// SAFETY: the entry is written only by the VM, while it loads the driver under its own
// driver-list lock; Rust code never reads or writes it after `driver_init` returns the pointer.
unsafe impl Sync for EntryCell {}

impl EntryCell {
    pub const fn new(entry: sys::ErlDrvEntry) -> EntryCell {
        EntryCell(UnsafeCell::new(entry))
    }

    /// The pointer `driver_init` returns.
    pub const fn get(&self) -> *mut sys::ErlDrvEntry {
        self.0.get()
    }
}

/// One open port: the framework's bookkeeping and the driver's state.
struct PortCell<D> {
    meta: PortMeta,
    state: UnsafeCell<MaybeUninit<D>>,
}

/// The text of a panic payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "panic with a non-string payload"
    }
}

/// Writes one line to the VM's standard error; never panics (eprintln! would).
fn report(line: core::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Runs a driver-level callback, containing a panic; returns `None` if it panicked.
fn contained<D: Driver + DriverEntry, R>(callback: &str, f: impl FnOnce() -> R) -> Option<R> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => Some(r),
        Err(payload) => {
            report(format_args!(
                "erldrv: panic in `{callback}` of driver {:?} contained: {}",
                D::NAME,
                panic_message(&*payload)
            ));
            // Dropping a payload can itself panic; it must not escape either.
            let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
            None
        }
    }
}

const PANIC_REASON: &CStr = c"erldrv_panic";

/// A port callback panicked: tell the owner, then close the port once we are out of the
/// callback. Later callbacks of the port are skipped (the state may be inconsistent).
fn port_panicked<D: Driver + DriverEntry>(
    meta: &PortMeta,
    callback: &str,
    payload: Box<dyn Any + Send>,
) {
    let msg = panic_message(&*payload);
    report(format_args!(
        "erldrv: panic in {callback} of driver {:?}; closing the port with reason erldrv_panic: {msg}",
        D::NAME
    ));
    meta.set_poisoned();
    // SAFETY: scheduler thread, inside a callback of this live port.
    unsafe { send_panic_message(meta.raw, msg) };
    let dropped = meta.deferred.take();
    meta.defer(Deferred::Exit(ExitReason::Atom(PANIC_REASON)));
    let _ = catch_unwind(AssertUnwindSafe(move || {
        drop(dropped);
        drop(payload);
    }));
}

/// Sends `{Port, {erldrv_panic, <<Msg>>}}` to the port owner.
///
/// # Safety
/// Scheduler thread, inside a callback of the port `raw`.
unsafe fn send_panic_message(raw: sys::ErlDrvPort, msg: &str) {
    // SAFETY: per the contract; the term spec is well-formed and the message buffer outlives
    // the call (the VM copies BUF2BINARY data).
    unsafe {
        let port_id = sys::driver_mk_port(raw);
        let atom = sys::driver_mk_atom(PANIC_REASON.as_ptr().cast_mut());
        let mut spec: [sys::ErlDrvTermData; 11] = [
            sys::ERL_DRV_PORT,
            port_id,
            sys::ERL_DRV_ATOM,
            atom,
            sys::ERL_DRV_BUF2BINARY,
            msg.as_ptr() as sys::ErlDrvTermData,
            msg.len() as sys::ErlDrvTermData,
            sys::ERL_DRV_TUPLE,
            2,
            sys::ERL_DRV_TUPLE,
            2,
        ];
        sys::erl_drv_output_term(port_id, spec.as_mut_ptr(), spec.len() as c_int);
    }
}

/// Runs the actions a callback deferred. Each may re-enter the driver (the VM can call
/// `stop` or `ready_async` from inside them); the port cell stays allocated meanwhile because
/// our depth count is still held.
#[inline]
fn run_deferred(meta: &PortMeta, data: sys::ErlDrvData) {
    if meta.has_deferred() {
        run_deferred_slow(meta, data);
    }
}

#[cold]
fn run_deferred_slow(meta: &PortMeta, data: sys::ErlDrvData) {
    loop {
        meta.set_has_deferred(false);
        let list = meta.deferred.take();
        if list.is_empty() {
            return;
        }
        for action in list {
            if meta.stopped() {
                // The port is gone; unsubmitted jobs are freed by their own Drop.
                let _ = catch_unwind(AssertUnwindSafe(move || drop(action)));
                continue;
            }
            let closes = matches!(action, Deferred::Exit(_) | Deferred::InitAck(Err(_)));
            // Inside start the VM has no port data yet and takes no init ack; closing the port
            // inside process_exit crashes the VM (it still works on the monitor afterwards).
            // Both wait for a zero timer, right after the callback.
            if meta.in_start.get() || (closes && meta.in_process_exit.get()) {
                meta.defer_to_timer(action);
                continue;
            }
            // SAFETY: scheduler thread, live port (not stopped); no Rust borrow of the port
            // state is alive while these calls may re-enter the driver.
            unsafe {
                match action {
                    Deferred::Exit(reason) => exit_port(meta.raw, reason),
                    Deferred::InitAck(Ok(())) => sys::erl_drv_init_ack(meta.raw, data),
                    Deferred::InitAck(Err(e)) => sys::erl_drv_init_ack(meta.raw, start_error(e)),
                    Deferred::Async(mut job) => {
                        let mut key: c_uint = sys::driver_async_port_key(meta.raw);
                        let job_data = core::mem::replace(&mut job.data, ptr::null_mut());
                        sys::driver_async(
                            meta.raw,
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

/// # Safety
/// Scheduler thread, inside a callback of the live port `raw`.
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

fn start_error(e: StartError) -> sys::ErlDrvData {
    match e {
        StartError::General => sys::ERL_DRV_ERROR_GENERAL,
        StartError::Errno(code) => {
            set_errno(code);
            sys::ERL_DRV_ERROR_ERRNO
        }
        StartError::Badarg => sys::ERL_DRV_ERROR_BADARG,
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

/// Leaves a port callback: runs deferred actions, and frees the port cell if `stop` ran
/// while we were on the stack.
///
/// # Safety
/// `cell` is this port's cell, entered with a depth increment.
#[inline(always)]
unsafe fn leave<D>(cell: *mut PortCell<D>) {
    let done = {
        // SAFETY: the cell is allocated while depth > 0.
        let meta = unsafe { &(*cell).meta };
        if meta.leave_has_work() {
            run_deferred(meta, cell.cast());
        }
        let depth = meta.depth.get() - 1;
        meta.depth.set(depth);
        depth == 0 && meta.stopped()
    };
    if done {
        // SAFETY: stop has moved the state out and nothing else refers to the cell.
        drop(unsafe { Box::from_raw(cell) });
    }
}

/// Runs a port callback on the port's state: skips it on a closing port, catches a panic
/// (closing the port), and runs deferred actions after the state borrow has ended.
///
/// # Safety
/// `data` is the `ErlDrvData` our `start` returned for a port that has not been freed.
#[inline]
unsafe fn with_state<D: Driver + DriverEntry, R: Copy>(
    data: sys::ErlDrvData,
    callback: &str,
    on_failure: R,
    f: impl FnOnce(&mut D, &Port<'_>) -> R,
) -> R {
    let cell = data.cast::<PortCell<D>>();
    let out = {
        // SAFETY: per the contract the cell is live.
        let meta = unsafe { &(*cell).meta };
        if meta.skips_callbacks() {
            return on_failure;
        }
        meta.depth.set(meta.depth.get() + 1);
        let port = Port::new(meta);
        // SAFETY: the state is initialised (start succeeded, stop has not run) and the VM
        // never runs two callbacks of one port at once; nested callbacks only happen from
        // deferred actions, after this borrow has ended.
        let state = unsafe { (*(*cell).state.get()).assume_init_mut() };
        match catch_unwind(AssertUnwindSafe(|| f(state, &port))) {
            Ok(r) => r,
            Err(payload) => {
                port_panicked::<D>(meta, callback, payload);
                on_failure
            }
        }
    };
    // SAFETY: entered above with a depth increment.
    unsafe { leave(cell) };
    out
}

/// # Safety
/// `ptr`/`len` as passed by the VM for a callback's input.
unsafe fn input<'a>(ptr: *const c_char, len: usize) -> &'a [u8] {
    if len == 0 {
        &[]
    } else {
        // SAFETY: the VM passes `len` readable bytes, live for the callback.
        unsafe { core::slice::from_raw_parts(ptr.cast::<u8>(), len) }
    }
}

unsafe extern "C" fn init<D: Driver + DriverEntry>() -> c_int {
    match contained::<D, _>("init", D::init) {
        Some(Ok(())) => 0,
        Some(Err(e)) => {
            report(format_args!(
                "erldrv: driver {:?} failed to initialise: {e}",
                D::NAME
            ));
            -1
        }
        None => -1,
    }
}

unsafe extern "C" fn finish<D: Driver + DriverEntry>() {
    contained::<D, _>("finish", D::finish);
    // After this returns the VM unmaps the library: no thread may still run its code.
    contained::<D, _>("finish", || crate::thread::finish(D::NAME));
}

unsafe extern "C" fn stop_select<D: Driver + DriverEntry>(
    event: sys::ErlDrvEvent,
    _reserved: *mut c_void,
) {
    contained::<D, _>("stop_select", || D::stop_select(Event::from_raw(event)));
}

unsafe extern "C" fn start<D: Driver + DriverEntry>(
    raw: sys::ErlDrvPort,
    command: *mut c_char,
) -> sys::ErlDrvData {
    let cell = Box::into_raw(Box::new(PortCell::<D> {
        meta: PortMeta::new(raw),
        state: UnsafeCell::new(MaybeUninit::uninit()),
    }));
    // SAFETY: just allocated.
    let meta = unsafe { &(*cell).meta };
    meta.depth.set(1);
    let command = if command.is_null() {
        &[][..]
    } else {
        // SAFETY: the VM passes the NUL-terminated open_port command string.
        unsafe { CStr::from_ptr(command) }.to_bytes()
    };
    let port = Port::new(meta);
    meta.in_start.set(true);
    let started = catch_unwind(AssertUnwindSafe(|| D::start(&port, command)));
    match started {
        Ok(Ok(state)) => {
            // SAFETY: nothing else refers to the state slot yet.
            unsafe { (*(*cell).state.get()).write(state) };
            // With in_start still set, what start deferred moves to the framework timer.
            run_deferred(meta, cell.cast());
            meta.in_start.set(false);
            if !meta.framework_timer.get() {
                if let Some(Some(ms)) = meta.user_timer.take() {
                    port::arm_timer(raw, ms);
                }
            }
            meta.depth.set(0);
            cell.cast()
        }
        Ok(Err(e)) => {
            // The port never opens: drop what start deferred and free the cell.
            let deferred = meta.deferred.take();
            let _ = catch_unwind(AssertUnwindSafe(move || drop(deferred)));
            // SAFETY: the state was never written; the cell is ours alone.
            drop(unsafe { Box::from_raw(cell) });
            start_error(e)
        }
        Err(payload) => {
            let msg = panic_message(&*payload);
            report(format_args!(
                "erldrv: panic in `start` of driver {:?}; open_port fails with einval: {msg}",
                D::NAME
            ));
            // SAFETY: scheduler thread, inside start of this port.
            unsafe { send_panic_message(raw, msg) };
            let deferred = meta.deferred.take();
            let _ = catch_unwind(AssertUnwindSafe(move || {
                drop(deferred);
                drop(payload);
            }));
            // SAFETY: as above.
            drop(unsafe { Box::from_raw(cell) });
            sys::ERL_DRV_ERROR_GENERAL
        }
    }
}

unsafe extern "C" fn stop<D: Driver + DriverEntry>(data: sys::ErlDrvData) {
    // After a failed init_ack the VM replaces the port data with the error code.
    if (-3..=-1).contains(&(data as isize)) || data.is_null() {
        return;
    }
    let cell = data.cast::<PortCell<D>>();
    let last = {
        // SAFETY: our start returned this cell and it is freed only below.
        let meta = unsafe { &(*cell).meta };
        if meta.stopped() {
            return;
        }
        meta.set_stopped();
        meta.depth.set(meta.depth.get() + 1);
        // SAFETY: the state is initialised and, with `stopped` set, never touched again.
        let state = unsafe { (*(*cell).state.get()).assume_init_read() };
        let port = Port::new(meta);
        contained::<D, _>("stop", || D::stop(state, &port));
        let deferred = meta.deferred.take();
        let _ = catch_unwind(AssertUnwindSafe(move || drop(deferred)));
        let depth = meta.depth.get() - 1;
        meta.depth.set(depth);
        depth == 0
    };
    if last {
        // SAFETY: no trampoline of this port is on the stack; the state was moved out.
        drop(unsafe { Box::from_raw(cell) });
    }
}

unsafe extern "C" fn output<D: Driver + DriverEntry>(
    data: sys::ErlDrvData,
    buf: *mut c_char,
    len: sys::ErlDrvSizeT,
) {
    // SAFETY: VM arguments of a live port.
    unsafe { with_state::<D, _>(data, "`output`", (), |s, p| s.output(p, input(buf, len))) }
}

unsafe extern "C" fn outputv<D: Driver + DriverEntry>(
    data: sys::ErlDrvData,
    ev: *mut sys::ErlIOVec,
) {
    let Some(ev) = ptr::NonNull::new(ev) else {
        return;
    };
    // SAFETY: VM arguments of a live port; the I/O vector lives for the callback.
    unsafe {
        with_state::<D, _>(data, "`outputv`", (), |s, p| {
            s.outputv(p, IoVec::from_raw(ev))
        })
    }
}

unsafe extern "C" fn control<D: Driver + DriverEntry>(
    data: sys::ErlDrvData,
    command: c_uint,
    buf: *mut c_char,
    len: sys::ErlDrvSizeT,
    rbuf: *mut *mut c_char,
    rlen: sys::ErlDrvSizeT,
) -> sys::ErlDrvSSizeT {
    // SAFETY: VM arguments of a live port.
    unsafe {
        with_state::<D, _>(data, "`control`", -1, |s, p| {
            let kind = if p.meta().control_binary() {
                ReplyKind::ControlBinary
            } else {
                ReplyKind::ControlList
            };
            let mut reply = Reply::new(rbuf, rlen, kind);
            match s.control(p, command, input(buf, len), &mut reply) {
                Ok(()) => reply.finish(p.meta().control_binary()),
                Err(_) => -1,
            }
        })
    }
}

unsafe extern "C" fn call<D: Driver + DriverEntry>(
    data: sys::ErlDrvData,
    command: c_uint,
    buf: *mut c_char,
    len: sys::ErlDrvSizeT,
    rbuf: *mut *mut c_char,
    rlen: sys::ErlDrvSizeT,
    _flags: *mut c_uint,
) -> sys::ErlDrvSSizeT {
    // SAFETY: VM arguments of a live port.
    unsafe {
        with_state::<D, _>(data, "`call`", -1, |s, p| {
            let input = input(buf, len);
            let mut reply = Reply::new(rbuf, rlen, ReplyKind::Call);
            let mut out = Encoder::new(&mut reply);
            out.version();
            match decode_args::<D>(input) {
                Ok(args) => match s.call(p, command, args) {
                    Ok(r) => r.write(&mut out),
                    Err(e) => e.write(&mut out),
                },
                Err(e) => e.write(&mut out),
            }
            reply.finish(false)
        })
    }
}

/// The arguments of `port_call`, as the driver's `CallArgs`.
#[inline]
fn decode_args<D: Driver>(input: &[u8]) -> Result<D::CallArgs<'_>, CallError> {
    let mut d = Decoder::new(input).map_err(bad_args)?;
    D::CallArgs::decode_from_vm(&mut d).map_err(bad_args)
}

#[cold]
fn bad_args(e: DecodeError) -> CallError {
    CallError::badarg(format!("port_call arguments: {e}"))
}

/// What every async job starts with, whatever its result type: which driver it was spawned
/// for, and how to free it.
#[repr(C)]
struct JobHeader {
    driver: TypeId,
    free: unsafe extern "C" fn(*mut c_void),
}

/// An async job: the work, then its outcome (a value or the panic it raised).
#[repr(C)]
struct AsyncJob<T> {
    header: JobHeader,
    work: Option<Box<dyn FnOnce() -> T + Send>>,
    outcome: Option<std::thread::Result<T>>,
}

pub(crate) fn async_submission<D: Driver>(
    work: Box<dyn FnOnce() -> D::Async + Send>,
) -> AsyncSubmission {
    let job = Box::new(AsyncJob {
        header: JobHeader {
            driver: TypeId::of::<D>(),
            free: async_free::<D::Async>,
        },
        work: Some(work),
        outcome: None,
    });
    AsyncSubmission {
        data: Box::into_raw(job).cast(),
        invoke: async_invoke::<D::Async>,
        free: async_free::<D::Async>,
    }
}

/// Runs on an async-pool thread (or synchronously in `driver_async` without a pool).
unsafe extern "C" fn async_invoke<T: Send + 'static>(data: *mut c_void) {
    // SAFETY: `data` is our AsyncJob<T>; the VM hands it to one thread at a time.
    let job = unsafe { &mut *data.cast::<AsyncJob<T>>() };
    if let Some(work) = job.work.take() {
        job.outcome = Some(catch_unwind(AssertUnwindSafe(work)));
    }
}

/// Frees a job the VM did not hand to `ready_async` (no `ready_async`, or the port closed).
unsafe extern "C" fn async_free<T: Send + 'static>(data: *mut c_void) {
    // SAFETY: `data` is our AsyncJob<T>, freed exactly once (here or in ready_async).
    let job = unsafe { Box::from_raw(data.cast::<AsyncJob<T>>()) };
    let _ = catch_unwind(AssertUnwindSafe(move || drop(job)));
}

unsafe extern "C" fn ready_async<D: Driver + DriverEntry>(
    data: sys::ErlDrvData,
    thread_data: sys::ErlDrvThreadData,
) {
    // When the VM calls ready_async it does not call async_free: the job is ours to free.
    // SAFETY: every job starts with a JobHeader (repr(C) first field).
    let header = unsafe { &*thread_data.cast::<JobHeader>() };
    if header.driver != TypeId::of::<D>() {
        // Spawned with `spawn_async::<Other>`: its result is not a `D::Async`. Free it as
        // what it is, and treat the mistake like a panic of the port.
        // SAFETY: the header's own free matches the job's real type; freed once.
        unsafe { (header.free)(thread_data.cast()) };
        // SAFETY: VM arguments of a live port.
        unsafe {
            with_state::<D, _>(data, "`ready_async`", (), |_, _| {
                panic!(
                    "an async job was spawned with spawn_async for another driver type; \
                     use port.spawn_async::<Self>(..)"
                )
            })
        };
        return;
    }
    // SAFETY: the header says this is the AsyncJob<D::Async> we submitted for D.
    let mut job = unsafe { Box::from_raw(thread_data.cast::<AsyncJob<D::Async>>()) };
    let outcome = job.outcome.take();
    let _ = catch_unwind(AssertUnwindSafe(move || drop(job)));
    let Some(outcome) = outcome else { return };
    let label = if outcome.is_ok() {
        "`ready_async`"
    } else {
        "an async job"
    };
    let mut outcome = Some(outcome);
    // SAFETY: VM arguments of a live port.
    unsafe {
        with_state::<D, _>(data, label, (), |s, p| match outcome.take() {
            Some(Ok(value)) => s.ready_async(p, value),
            // A panic in the job closes the port like a panic in a callback.
            Some(Err(payload)) => resume_unwind(payload),
            None => {}
        })
    };
    // Not taken when the port was already closing: dropping it must not unwind either.
    let _ = catch_unwind(AssertUnwindSafe(move || drop(outcome)));
}

unsafe extern "C" fn ready_input<D: Driver + DriverEntry>(
    data: sys::ErlDrvData,
    event: sys::ErlDrvEvent,
) {
    // SAFETY: VM arguments of a live port.
    unsafe {
        with_state::<D, _>(data, "`ready_input`", (), |s, p| {
            s.ready_input(p, Event::from_raw(event))
        })
    }
}

unsafe extern "C" fn ready_output<D: Driver + DriverEntry>(
    data: sys::ErlDrvData,
    event: sys::ErlDrvEvent,
) {
    // SAFETY: VM arguments of a live port.
    unsafe {
        with_state::<D, _>(data, "`ready_output`", (), |s, p| {
            s.ready_output(p, Event::from_raw(event))
        })
    }
}

unsafe extern "C" fn timeout<D: Driver + DriverEntry>(data: sys::ErlDrvData) {
    // SAFETY: VM arguments of a live port.
    let meta = unsafe { &(*data.cast::<PortCell<D>>()).meta };
    if meta.framework_timer.replace(false) {
        // The framework's zero timer: run what waited for it, then give the driver back the
        // timer it asked for meanwhile.
        if let Some(Some(ms)) = meta.user_timer.take() {
            port::arm_timer(meta.raw, ms);
        }
        for action in meta.timer_actions.take() {
            meta.defer(action);
        }
        // SAFETY: as above.
        unsafe { run_deferred_only::<D>(data) };
        return;
    }
    // SAFETY: VM arguments of a live port.
    unsafe { with_state::<D, _>(data, "`timeout`", (), |s, p| s.timeout(p)) }
}

/// Runs a port's deferred actions outside any driver callback (for the framework's own uses
/// of the timer), even on a poisoned port, whose pending close must still happen.
///
/// # Safety
/// `data` is a live port cell of `D`.
unsafe fn run_deferred_only<D: Driver + DriverEntry>(data: sys::ErlDrvData) {
    let cell = data.cast::<PortCell<D>>();
    // SAFETY: per the contract.
    let meta = unsafe { &(*cell).meta };
    if meta.stopped() {
        return;
    }
    meta.depth.set(meta.depth.get() + 1);
    // SAFETY: entered above with a depth increment.
    unsafe { leave(cell) };
}

unsafe extern "C" fn flush<D: Driver + DriverEntry>(data: sys::ErlDrvData) {
    // SAFETY: VM arguments of a live port.
    unsafe { with_state::<D, _>(data, "`flush`", (), |s, p| s.flush(p)) }
}

unsafe extern "C" fn process_exit<D: Driver + DriverEntry>(
    data: sys::ErlDrvData,
    monitor: *mut sys::ErlDrvMonitor,
) {
    if monitor.is_null() {
        return;
    }
    // SAFETY: the VM passes a valid monitor for the callback's duration.
    let m = Monitor::from_raw(unsafe { *monitor });
    // SAFETY: VM arguments of a live port.
    let meta = unsafe { &(*data.cast::<PortCell<D>>()).meta };
    meta.in_process_exit.set(true);
    // SAFETY: VM arguments of a live port.
    unsafe { with_state::<D, _>(data, "`process_exit`", (), |s, p| s.process_exit(p, m)) };
    // The cell is still allocated: a close inside process_exit waits for the timer.
    meta.in_process_exit.set(false);
}
