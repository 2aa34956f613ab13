//! The runtime behind `#[erl_driver]`: the C-ABI trampolines and the driver entry.
//!
//! The attribute only builds a [`Slots`] value; everything that runs lives here, as ordinary
//! generic functions: turning the VM's pointers into safe views, catching panics, deferring
//! re-entrant actions and freeing port state.

use core::cell::UnsafeCell;
use core::ffi::{CStr, c_char, c_int, c_uint, c_void};
use core::mem::MaybeUninit;
use core::ptr;
use std::any::TypeId;
use std::io::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use erldrv_sys as sys;

use crate::panic::{STDERR_LIMIT, install_hook, panic_message, truncated};
use crate::port::{self, AsyncSubmission, Deferred, PortMeta};
use crate::reply::ReplyKind;
use crate::select;
use crate::term::{DecodeError, Decoder, Encoder, FromTerm, ToTerm};
use crate::{
    Badarg, CallError, Driver, Event, ExitReason, IoVec, Monitor, Pid, Port, Reply, StartError,
};

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
    pub output: bool,
    pub outputv: bool,
    pub control: bool,
    pub call: bool,
    pub ready_input: bool,
    pub ready_output: bool,
    pub flush: bool,
    pub process_exit: bool,
}

/// Builds the driver entry for `D`. Always present: `start` and `stop` (they create and free
/// the port state), `timeout` and `ready_async` (the framework's own timer and async jobs
/// need them), `stop_select` (it releases `select_owned` descriptors) and `finish` (it
/// releases what is left of those, and joins the driver's threads); unwritten, they do
/// nothing for the driver. Every other slot is NULL unless written.
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
        // Always installed: descriptors the VM lost track of are released, and the driver's
        // threads (`crate::thread`) joined, before unload.
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
        // Always installed: `select_owned` descriptors are released there.
        stop_select: Some(stop_select::<D>),
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

/// What the generated `driver_init` does: installs the driver's panic hook (see
/// `crate::panic`) and hands the VM the entry.
pub fn driver_init<D: Driver + DriverEntry>(entry: &'static EntryCell) -> *mut sys::ErlDrvEntry {
    install_hook::<D>();
    entry.get()
}

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

/// Writes one line to the VM's standard error; never panics (eprintln! would).
fn report(line: core::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Runs a driver-level callback, containing a panic; returns the panic message if it
/// panicked. The panic hook has already written the message and its location to stderr;
/// this adds which callback it was.
fn contained<D: Driver + DriverEntry>(callback: &str, f: impl FnOnce()) -> Option<String> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(()) => None,
        Err(payload) => {
            report(format_args!(
                "erldrv: panic in `{callback}` of driver {:?} contained",
                D::NAME,
            ));
            let message = panic_message(&*payload).to_owned();
            drop_quietly(payload);
            Some(message)
        }
    }
}

/// Drops a value whose `Drop` may panic (a panic payload, a job the port will never see,
/// deferred actions of a closed port) without letting the panic escape.
pub(crate) fn drop_quietly<T>(value: T) {
    let _ = catch_unwind(AssertUnwindSafe(move || drop(value)));
}

const PANIC_REASON: &CStr = c"erldrv_panic";

/// A port callback panicked: tell the owner, then close the port once we are out of the
/// callback. Later callbacks of the port are skipped (the state may be inconsistent).
fn port_panicked<D: Driver + DriverEntry>(meta: &PortMeta, callback: &str, message: &str) {
    meta.set_poisoned();
    // SAFETY: scheduler thread, inside a callback of this live port.
    let told = unsafe { output_tagged(meta.raw, PANIC_REASON, message) };
    if told > 0 {
        report(format_args!(
            "erldrv: panic in {callback} of driver {:?}: the owner is told, and the port \
             closes with reason erldrv_panic",
            D::NAME
        ));
    } else {
        report(format_args!(
            "erldrv: panic in {callback} of driver {:?}: the port was already closing, so \
             the VM takes no message from it and its exit reason is already decided; it \
             closes now",
            D::NAME
        ));
    }
    let dropped = meta.deferred.take();
    meta.defer(Deferred::Exit(ExitReason::Atom(PANIC_REASON)));
    drop_quietly(dropped);
}

/// Sends `{Port, {Tag, <<Text>>}}` to the port owner; returns what `erl_drv_output_term`
/// returns (1 delivered, 0 not: the port is closing or stopping).
///
/// # Safety
/// Scheduler thread, inside a callback of the port `raw` (including `start`).
unsafe fn output_tagged(raw: sys::ErlDrvPort, tag: &CStr, text: &str) -> c_int {
    // SAFETY: per the contract.
    let port_id = unsafe { sys::driver_mk_port(raw) };
    let mut spec = tagged_spec(port_id, tag, text);
    // SAFETY: per the contract; the term spec is well-formed and the text outlives the call
    // (the VM copies BUF2BINARY data).
    unsafe { sys::erl_drv_output_term(port_id, spec.as_mut_ptr(), spec.len() as c_int) }
}

/// Sends `{Port, {Tag, <<Text>>}}` to process `to`; returns what `erl_drv_send_term`
/// returns.
///
/// # Safety
/// Scheduler thread, inside a callback of the port `raw`.
unsafe fn send_tagged(raw: sys::ErlDrvPort, to: Pid, tag: &CStr, text: &str) -> c_int {
    // SAFETY: per the contract.
    let port_id = unsafe { sys::driver_mk_port(raw) };
    let mut spec = tagged_spec(port_id, tag, text);
    // SAFETY: as in `output_tagged`.
    unsafe { sys::erl_drv_send_term(port_id, to.as_raw(), spec.as_mut_ptr(), spec.len() as c_int) }
}

/// The term specification of `{Port, {Tag, <<Text>>}}`. `driver_mk_atom` is only called on
/// scheduler threads, which is where the callers run.
fn tagged_spec(port_id: sys::ErlDrvTermData, tag: &CStr, text: &str) -> [sys::ErlDrvTermData; 11] {
    // SAFETY: a NUL-terminated atom name; called from a callback on a scheduler thread.
    let atom = unsafe { sys::driver_mk_atom(tag.as_ptr().cast_mut()) };
    [
        sys::ERL_DRV_PORT,
        port_id,
        sys::ERL_DRV_ATOM,
        atom,
        sys::ERL_DRV_BUF2BINARY,
        text.as_ptr() as sys::ErlDrvTermData,
        text.len() as sys::ErlDrvTermData,
        sys::ERL_DRV_TUPLE,
        2,
        sys::ERL_DRV_TUPLE,
        2,
    ]
}

const START_ERROR: &CStr = c"erldrv_start_error";
const BADARG_REASON: &CStr = c"erldrv_badarg";

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
            if meta.in_start.get() || (closes && meta.in_process_exit()) {
                meta.defer_to_timer(action);
                continue;
            }
            // SAFETY: scheduler thread, live port (not stopped); no Rust borrow of the port
            // state is alive while these calls may re-enter the driver.
            unsafe {
                match action {
                    Deferred::Exit(reason) => exit_port(meta.raw, reason),
                    Deferred::InitAck(Ok(())) => sys::erl_drv_init_ack(meta.raw, data),
                    Deferred::InitAck(Err(e)) => {
                        sys::erl_drv_init_ack(meta.raw, start_error(meta.raw, e))
                    }
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

/// The `ErlDrvData` error code of a start error, for `start`'s return or `erl_drv_init_ack`.
/// A refusal with a reason first sends the reason to the opener (the port owner).
///
/// # Safety
/// Scheduler thread, inside `start` or another callback of the port `raw`.
#[cold]
unsafe fn start_error(raw: sys::ErlDrvPort, e: StartError) -> sys::ErlDrvData {
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
    // SAFETY: per the contract.
    unsafe { with_state_or::<D, R>(data, callback, on_failure, f, |_, _| on_failure) }
}

/// [`with_state`], with `on_panic` deciding what the callback returns after a panic (it
/// gets the port, already marked for closing, and the panic message).
///
/// # Safety
/// As [`with_state`].
#[inline]
unsafe fn with_state_or<D: Driver + DriverEntry, R>(
    data: sys::ErlDrvData,
    callback: &str,
    on_skip: R,
    f: impl FnOnce(&mut D, &Port<'_>) -> R,
    on_panic: impl FnOnce(&Port<'_>, &str) -> R,
) -> R {
    let cell = data.cast::<PortCell<D>>();
    let out = {
        // SAFETY: per the contract the cell is live.
        let meta = unsafe { &(*cell).meta };
        if meta.skips_callbacks() {
            return on_skip;
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
                let message = panic_message(&*payload);
                port_panicked::<D>(meta, callback, message);
                let out = on_panic(&port, message);
                drop_quietly(payload);
                out
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
    let mut result = Ok(());
    let reason = match contained::<D>("init", || result = D::init()) {
        None => match result {
            Ok(()) => return 0,
            Err(e) => {
                report(format_args!(
                    "erldrv: driver {:?} failed to initialise: {e}",
                    D::NAME
                ));
                e.message().to_owned()
            }
        },
        Some(panic) => format!("panic in init: {panic}"),
    };
    // erl_ddll reports only `driver_init_failed`; the VM's environment carries the reason
    // to `erldrv:load/2`, which reads and removes it.
    crate::env::set_var(&init_error_var(D::NAME), truncated(&reason, STDERR_LIMIT).0);
    -1
}

/// The VM environment variable through which a failed `init` tells `erldrv:load/2` why.
fn init_error_var(name: &CStr) -> String {
    format!("ERLDRV_INIT_ERROR_{}", name.to_string_lossy())
}

unsafe extern "C" fn finish<D: Driver + DriverEntry>() {
    contained::<D>("finish", D::finish);
    // What the VM lost track of (it never called stop_select for it): the library is about
    // to be unmapped, and statics are not dropped.
    let left = select::release_all();
    contained::<D>("finish", move || drop(left));
    // After this returns the VM unmaps the library: no thread may still run its code.
    contained::<D>("finish", || crate::thread::finish(D::NAME));
}

unsafe extern "C" fn stop_select<D: Driver + DriverEntry>(
    event: sys::ErlDrvEvent,
    _reserved: *mut c_void,
) {
    let event = Event::from_raw(event);
    // The driver's own stop_select first: while it runs, the number is still this
    // descriptor's and cannot have been reused by another thread.
    contained::<D>("stop_select", || D::stop_select(event));
    if let Some(io) = select::released(event) {
        contained::<D>("stop_select", move || drop(io));
    }
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
            // The port never opens (and `stop` never runs): release what start selected,
            // drop what it deferred and free the cell.
            select::release_port(&port);
            drop_quietly(meta.deferred.take());
            // SAFETY: the state was never written; the cell is ours alone.
            drop(unsafe { Box::from_raw(cell) });
            // SAFETY: scheduler thread, inside start of this port.
            unsafe { start_error(raw, e) }
        }
        Err(payload) => {
            report(format_args!(
                "erldrv: panic in `start` of driver {:?}: open_port fails with einval, and \
                 the opener is told",
                D::NAME
            ));
            // SAFETY: scheduler thread, inside start of this port.
            unsafe { output_tagged(raw, PANIC_REASON, panic_message(&*payload)) };
            select::release_port(&port);
            drop_quietly(meta.deferred.take());
            drop_quietly(payload);
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
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| D::stop(state, &port))) {
            // The port's exit reason is decided before stop runs, but the owner can still be
            // told, unless the port was closing with a queue (the VM then drops messages).
            // SAFETY: inside stop of this port, on its scheduler thread.
            let told = unsafe { output_tagged(meta.raw, PANIC_REASON, panic_message(&*payload)) };
            report(format_args!(
                "erldrv: panic in `stop` of driver {:?} contained{}",
                D::NAME,
                if told > 0 {
                    "; the owner is told"
                } else {
                    "; the port was closing, so the VM takes no message from it"
                }
            ));
            drop_quietly(payload);
        }
        // The VM does not deselect a closing port's descriptors, and would never call
        // stop_select for them.
        select::release_port(&port);
        // Exits, init acks and jobs requested in stop are dropped (see `Port`).
        drop_quietly(meta.deferred.take());
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
    let on_panic = |p: &Port<'_>, message: &str| {
        // The owner has been told; a caller that is not the owner is told too, so that
        // `erldrv:control/3` can raise the panic instead of a bare badarg.
        let caller = p.caller();
        if caller != p.connected() {
            // SAFETY: inside the control callback of this live port.
            unsafe { send_tagged(p.as_raw(), caller, PANIC_REASON, message) };
        }
        -1
    };
    // SAFETY: VM arguments of a live port.
    unsafe {
        with_state_or::<D, _>(
            data,
            "`control`",
            -1,
            |s, p| {
                let kind = if p.meta().control_binary() {
                    ReplyKind::ControlBinary
                } else {
                    ReplyKind::ControlList
                };
                let mut reply = Reply::new(rbuf, rlen, kind);
                match s.control(p, command, input(buf, len), &mut reply) {
                    Ok(()) => reply.finish(p.meta().control_binary()),
                    Err(refusal) => refuse_control(p, refusal),
                }
            },
            on_panic,
        )
    }
}

/// `control` returned `Err`: the caller gets `badarg`, and first the reason, if there is one.
#[cold]
fn refuse_control(port: &Port<'_>, refusal: Badarg) -> sys::ErlDrvSSizeT {
    if let Some(reason) = refusal.reason() {
        // SAFETY: inside the control callback of this live port.
        unsafe { send_tagged(port.as_raw(), port.caller(), BADARG_REASON, reason) };
    }
    drop_quietly(refusal);
    -1
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
    // SAFETY: the reply begun inside the callback was dropped while unwinding without
    // touching `*rbuf`, so the VM's buffer is still there to write into.
    let on_panic = |_: &Port<'_>, message: &str| unsafe { panic_reply(rbuf, rlen, message) };
    // SAFETY: VM arguments of a live port.
    unsafe {
        with_state_or::<D, _>(
            data,
            "`call`",
            -1,
            |s, p| {
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
            },
            on_panic,
        )
    }
}

/// The `port_call` reply after a panic in `call`: `{erldrv_panic, Message}`, which
/// `erldrv:call/3` raises as `error({erldrv_panic, Message})`.
///
/// # Safety
/// `rbuf`/`rlen` as the VM passed them to `call`, with no reply written into them yet.
#[cold]
unsafe fn panic_reply(
    rbuf: *mut *mut c_char,
    rlen: sys::ErlDrvSizeT,
    message: &str,
) -> sys::ErlDrvSSizeT {
    static ERLDRV_PANIC: crate::term::Atom = crate::term::Atom::new("erldrv_panic");
    // SAFETY: per the contract.
    let mut reply = unsafe { Reply::new(rbuf, rlen, ReplyKind::Call) };
    let mut out = Encoder::new(&mut reply);
    out.version();
    (&ERLDRV_PANIC, message).write(&mut out);
    reply.finish(false)
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
    // SAFETY: the VM passes a valid monitor for the callback's duration.
    meta.exiting_monitor.set(Some(unsafe { *monitor }));
    // SAFETY: VM arguments of a live port.
    unsafe { with_state::<D, _>(data, "`process_exit`", (), |s, p| s.process_exit(p, m)) };
    // The cell is still allocated: a close inside process_exit waits for the timer.
    meta.exiting_monitor.set(None);
}
