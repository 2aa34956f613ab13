//! The C-ABI trampolines, one per callback of the driver entry, in the entry's order of
//! importance: driver-level (`init`, `finish`, `stop_select`), the port's life (`start`,
//! `stop`), then the port callbacks, which all go through [`with_state`].
//!
//! A trampoline turns the VM's pointers into safe views, enters the port's bookkeeping,
//! runs the trait method under [`catch`], and leaves (which runs deferred actions and frees
//! the port cell once `stop` has run and nothing is on the stack).

use core::cell::UnsafeCell;
use core::ffi::{CStr, c_char, c_int, c_uint, c_void};
use core::mem::MaybeUninit;
use std::any::TypeId;
use std::time::Instant;

use erldrv_sys as sys;

use crate::command::{CLIENT_COMMAND, INTERFACE_COMMAND, TABLE_COMMAND};
use crate::driver::{Driver, DriverEntry};
use crate::error::{Badarg, CallError, ExitReason, JobPanic};
use crate::ids::Monitor;
use crate::iovec::IoVec;
use crate::jobs::{self, Finished};
use crate::panic::{STDERR_LIMIT, catch, drop_quietly, forget_symbols, report, truncated};
use crate::port::Port;
use crate::reply::{CallOut, Reply, ReplyKind};
use crate::request::{self, CANCEL_COMMAND, REQUEST_COMMAND, Untaken};
use crate::select::{self, Event};
use crate::state::{PendingTag, PortMeta, Timeout, start_error};
use crate::tell::{BADARG_REASON, PANIC_REASON, output_tagged, send_tagged};
use crate::term::{Atom, DecodeError, Decoder, Encoder, FromTerm, ToTerm, decompress};

/// One open port: the framework's bookkeeping and the driver's state.
pub(super) struct PortCell<D> {
    pub(super) meta: PortMeta,
    pub(super) state: UnsafeCell<MaybeUninit<D>>,
}

/// Runs a driver-level callback (no port, no process waiting), containing a panic; returns
/// its message if it panicked. The panic hook has already written the message and its
/// location to stderr; this adds which callback it was.
fn contained<D: DriverEntry>(callback: &str, f: impl FnOnce()) -> Option<String> {
    let panic = catch(f).err()?;
    report(format_args!(
        "erldrv: panic in `{callback}` of driver {:?} contained",
        D::NAME,
    ));
    Some(panic.message().to_owned())
}

/// A port callback panicked: tell the owner, then close the port once we are out of the
/// callback. Later callbacks of the port are skipped (the state may be inconsistent).
fn port_panicked<D: DriverEntry>(meta: &PortMeta, callback: &str, message: &str) {
    // SAFETY: inside a callback of this live port, on its scheduler thread.
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
    meta.poison(ExitReason::Atom(PANIC_REASON));
}

/// Leaves a port callback entered with [`PortMeta::enter`]: runs deferred actions, and
/// frees the port cell if `stop` ran while we were on the stack.
///
/// # Safety
/// `cell` is this port's cell, entered once more than it was left.
#[inline(always)]
unsafe fn leave<D>(cell: *mut PortCell<D>) {
    // SAFETY: the cell is allocated while it is entered.
    let free = unsafe { &(*cell).meta }.leave(cell.cast());
    if free {
        // SAFETY: stop has moved the state out and nothing else refers to the cell.
        drop(unsafe { Box::from_raw(cell) });
    }
}

/// Runs a port callback on the port's state: skips it on a stopped or poisoned port,
/// catches a panic (closing the port), and runs deferred actions after the state borrow has
/// ended.
///
/// # Safety
/// `data` is the `ErlDrvData` our `start` returned for a port that has not been freed.
#[inline]
pub(super) unsafe fn with_state<D: Driver + DriverEntry, R: Copy>(
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
        if !meta.enter() {
            return on_skip;
        }
        let port = Port::new(meta);
        // SAFETY: the state is initialised (start succeeded, stop has not run) and the VM
        // never runs two callbacks of one port at once; nested callbacks only happen from
        // deferred actions, after this borrow has ended.
        let state = unsafe { (*(*cell).state.get()).assume_init_mut() };
        match catch(|| f(state, &port)) {
            Ok(r) => r,
            Err(panic) => {
                port_panicked::<D>(meta, callback, panic.message());
                on_panic(&port, panic.message())
            }
        }
    };
    // SAFETY: entered above.
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

pub(super) unsafe extern "C" fn init<D: Driver + DriverEntry>() -> c_int {
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
    refuse_load(D::NAME, &reason);
    -1
}

/// The driver `name` refuses to load (its `init` failed, or `driver_init!` refused).
/// erl_ddll reports only `driver_init_failed`, and no text reaches it: the VM's environment
/// carries `reason` to `erldrv:load/2`, which reads and removes it. The library is unloaded
/// right after, without `finish`.
pub(super) fn refuse_load(name: &CStr, reason: &str) {
    crate::env::set_var(&init_error_var(name), truncated(reason, STDERR_LIMIT).0);
    forget_symbols();
}

/// The VM environment variable through which a failed `init` tells `erldrv:load/2` why.
fn init_error_var(name: &CStr) -> String {
    format!("ERLDRV_INIT_ERROR_{}", name.to_string_lossy())
}

pub(super) unsafe extern "C" fn finish<D: Driver + DriverEntry>() {
    contained::<D>("finish", D::finish);
    // The futures and pool jobs left all belong to closed ports by now; both wait for what
    // still runs, within one bound. The runtime first: a future may start pool jobs, which
    // the pool's shutdown then stops, while a pool job cannot start the stopped runtime.
    let deadline = Instant::now() + crate::pool::unload_wait(D::NAME);
    #[cfg(feature = "tokio")]
    contained::<D>("finish", || crate::runtime::shutdown(D::NAME, deadline));
    contained::<D>("finish", || crate::pool::shutdown(D::NAME, deadline));
    // What the VM lost track of (it never called stop_select for it): the library is about
    // to be unmapped, and statics are not dropped.
    let left = select::release_all();
    contained::<D>("finish", move || drop(left));
    // After this returns the VM unmaps the library: no thread may still run its code.
    contained::<D>("finish", || crate::thread::finish(D::NAME));
    // Last: nothing of the driver's runs after this, so no panic can fill the cache again.
    forget_symbols();
}

pub(super) unsafe extern "C" fn stop_select<D: Driver + DriverEntry>(
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

pub(super) unsafe extern "C" fn start<D: Driver + DriverEntry>(
    raw: sys::ErlDrvPort,
    command: *mut c_char,
) -> sys::ErlDrvData {
    let cell = Box::into_raw(Box::new(PortCell::<D> {
        meta: PortMeta::starting(raw),
        state: UnsafeCell::new(MaybeUninit::uninit()),
    }));
    // SAFETY: just allocated.
    let meta = unsafe { &(*cell).meta };
    meta.set_process_exit(D::PROCESS_EXIT);
    let command = if command.is_null() {
        &[][..]
    } else {
        // SAFETY: the VM passes the NUL-terminated open_port command string.
        unsafe { CStr::from_ptr(command) }.to_bytes()
    };
    let port = Port::new(meta);
    match catch(|| D::start(&port, command)) {
        Ok(Ok(state)) => {
            // SAFETY: nothing else refers to the state slot yet.
            unsafe { (*(*cell).state.get()).write(state) };
            meta.started(cell.cast());
            cell.cast()
        }
        Ok(Err(e)) => {
            // The port never opens (and `stop` never runs): release what start selected,
            // drop what it deferred and free the cell.
            select::release_port(&port);
            meta.start_failed();
            // SAFETY: the state was never written; the cell is ours alone.
            drop(unsafe { Box::from_raw(cell) });
            // SAFETY: inside start of this port, on its scheduler thread.
            unsafe { start_error(raw, e) }
        }
        Err(panic) => {
            report(format_args!(
                "erldrv: panic in `start` of driver {:?}: open_port fails with einval, and \
                 the opener is told",
                D::NAME
            ));
            // SAFETY: inside start of this port, on its scheduler thread.
            unsafe { output_tagged(raw, PANIC_REASON, panic.message()) };
            select::release_port(&port);
            meta.start_failed();
            // SAFETY: as above.
            drop(unsafe { Box::from_raw(cell) });
            sys::ERL_DRV_ERROR_GENERAL
        }
    }
}

pub(super) unsafe extern "C" fn stop<D: Driver + DriverEntry>(data: sys::ErlDrvData) {
    // After a failed init_ack the VM replaces the port data with the error code.
    if (-3..=-1).contains(&(data as isize)) || data.is_null() {
        return;
    }
    let cell = data.cast::<PortCell<D>>();
    let free = {
        // SAFETY: our start returned this cell and it is freed only below.
        let meta = unsafe { &(*cell).meta };
        if !meta.enter_stop() {
            return;
        }
        // SAFETY: the state is initialised and, now that the port is stopped, never touched
        // again.
        let state = unsafe { (*(*cell).state.get()).assume_init_read() };
        let port = Port::new(meta);
        if let Err(panic) = catch(|| D::stop(state, &port)) {
            // The port's exit reason is decided before stop runs, but the owner can still be
            // told, unless the port was closing with a queue (the VM then drops messages).
            // SAFETY: inside stop of this port, on its scheduler thread.
            let told = unsafe { output_tagged(meta.raw, PANIC_REASON, panic.message()) };
            report(format_args!(
                "erldrv: panic in `stop` of driver {:?} contained{}",
                D::NAME,
                if told > 0 {
                    "; the owner is told"
                } else {
                    "; the port was closing, so the VM takes no message from it"
                }
            ));
        }
        // The VM does not deselect a closing port's descriptors, and would never call
        // stop_select for them.
        select::release_port(&port);
        // The VM clears the queue once this returns: queue handles of other threads lose it
        // first (waiting for one that holds it).
        meta.revoke_queue();
        meta.leave_stop()
    };
    if free {
        // SAFETY: no trampoline of this port is on the stack; the state was moved out.
        drop(unsafe { Box::from_raw(cell) });
    }
}

pub(super) unsafe extern "C" fn output<D: Driver + DriverEntry>(
    data: sys::ErlDrvData,
    buf: *mut c_char,
    len: sys::ErlDrvSizeT,
) {
    // SAFETY: VM arguments of a live port.
    unsafe { with_state::<D, _>(data, "`output`", (), |s, p| s.output(p, input(buf, len))) }
}

pub(super) unsafe extern "C" fn outputv<D: Driver + DriverEntry>(
    data: sys::ErlDrvData,
    ev: *mut sys::ErlIOVec,
) {
    let Some(ev) = core::ptr::NonNull::new(ev) else {
        return;
    };
    // SAFETY: VM arguments of a live port; the I/O vector lives for the callback.
    unsafe {
        with_state::<D, _>(data, "`outputv`", (), |s, p| {
            s.outputv(p, IoVec::from_raw(ev))
        })
    }
}

pub(super) unsafe extern "C" fn control<D: Driver + DriverEntry>(
    data: sys::ErlDrvData,
    command: c_uint,
    buf: *mut c_char,
    len: sys::ErlDrvSizeT,
    rbuf: *mut *mut c_char,
    rlen: sys::ErlDrvSizeT,
) -> sys::ErlDrvSSizeT {
    if command == REQUEST_COMMAND
        || command == CANCEL_COMMAND
        || command == TABLE_COMMAND
        || command == INTERFACE_COMMAND
        || command == CLIENT_COMMAND
    {
        // SAFETY: the VM's arguments, passed on.
        return unsafe { control_framework::<D>(data, command, buf, len, rbuf, rlen) };
    }
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
                if D::BYTES_COMMANDS {
                    // A block with bytes commands has no `control` of its own.
                    // SAFETY: the VM's reply arguments, untouched so far.
                    return bytes_command(s, p, command, input(buf, len), rbuf, rlen);
                }
                let binary = p.meta().control_binary.get();
                let kind = if binary {
                    ReplyKind::ControlBinary
                } else {
                    ReplyKind::ControlList
                };
                let mut reply = Reply::new(rbuf, rlen, kind);
                match s.control(p, command, input(buf, len), &mut reply) {
                    // The mode in force when control returns: control may have switched it.
                    Ok(()) => reply.finish(p.meta().control_binary.get()),
                    Err(refusal) => refuse_control(p, refusal),
                }
            },
            on_panic,
        )
    }
}

/// A `port_control` command of the framework's: a request made with `erldrv:send_request/3`
/// (the driver's `control` runs with the caller's command and data, and
/// [`Port::request`] returns the request), or the cancellation of one.
///
/// # Safety
/// The VM's arguments to `control`, of a live port.
#[inline(never)]
unsafe fn control_framework<D: Driver + DriverEntry>(
    data: sys::ErlDrvData,
    command: c_uint,
    buf: *mut c_char,
    len: sys::ErlDrvSizeT,
    rbuf: *mut *mut c_char,
    rlen: sys::ErlDrvSizeT,
) -> sys::ErlDrvSSizeT {
    // SAFETY: the VM's input of this call.
    let input = unsafe { input(buf, len) };
    let kind = |p: &Port<'_>| {
        if p.meta().control_binary.get() {
            ReplyKind::ControlBinary
        } else {
            ReplyKind::ControlList
        }
    };
    if command == CANCEL_COMMAND {
        // SAFETY: VM arguments of a live port.
        return unsafe {
            with_state::<D, _>(data, "`control`", -1, |_, p| {
                let mut reply = Reply::new(rbuf, rlen, kind(p));
                reply.push(request::cancel(p, input));
                reply.finish(p.meta().control_binary.get())
            })
        };
    }
    if command == TABLE_COMMAND {
        // SAFETY: VM arguments of a live port.
        return unsafe {
            with_state::<D, _>(data, "`control`", -1, |_, p| {
                let mut reply = Reply::new(rbuf, rlen, kind(p));
                crate::command::write_table(D::COMMANDS, &mut reply);
                reply.finish(p.meta().control_binary.get())
            })
        };
    }
    if command == INTERFACE_COMMAND || command == CLIENT_COMMAND {
        // SAFETY: VM arguments of a live port.
        return unsafe {
            with_state::<D, _>(data, "`control`", -1, |_, p| {
                let mut reply = Reply::new(rbuf, rlen, kind(p));
                if command == INTERFACE_COMMAND {
                    crate::command::write_interface(D::COMMANDS, &mut reply);
                } else {
                    crate::command::write_client(D::COMMANDS, input, &mut reply);
                }
                reply.finish(p.meta().control_binary.get())
            })
        };
    }
    let (cmd, tag, payload) = match request::split_control_header(input) {
        Ok(parts) => parts,
        // SAFETY: VM arguments of a live port.
        Err(refusal) => unsafe {
            return with_state::<D, _>(data, "`control`", -1, |_, p| refuse_control(p, refusal));
        },
    };
    let on_panic = |p: &Port<'_>, message: &str| {
        if p.meta().request_tag.take().is_some() {
            request::answer_untaken(p, tag, Untaken::Panicked(message));
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
                let meta = p.meta();
                meta.request_tag.set(Some(PendingTag::new(tag)));
                let mut reply = Reply::new(rbuf, rlen, kind(p));
                let result = match D::async_command(p, cmd, payload) {
                    Some(started) => started,
                    None => s.control(p, cmd, payload, &mut reply),
                };
                if meta.request_tag.take().is_some() {
                    // Not taken: answer from what control did.
                    let outcome = match &result {
                        Ok(()) => Untaken::Replied(reply.written()),
                        Err(refusal) => Untaken::Refused(refusal.reason()),
                    };
                    request::answer_untaken(p, tag, outcome);
                }
                // The answer travels as a message; port_control returns nothing.
                reply.clear();
                reply.finish(meta.control_binary.get())
            },
            on_panic,
        )
    }
}

/// `port_control` on a driver with bytes commands: the command's reply, as a binary (the
/// port is put in binary mode, which no `control` of the driver's can expect otherwise: a
/// block with bytes commands has none).
///
/// # Safety
/// `rbuf`/`rlen` as the VM passed them to `control`, with no reply written into them yet.
#[inline]
unsafe fn bytes_command<D: DriverEntry>(
    s: &mut D,
    p: &Port<'_>,
    command: c_uint,
    data: &[u8],
    rbuf: *mut *mut c_char,
    rlen: sys::ErlDrvSizeT,
) -> sys::ErlDrvSSizeT {
    if !p.meta().control_binary.get() {
        p.set_control_binary(true);
    }
    // SAFETY: per the contract; the port is in binary mode.
    let mut reply = unsafe { Reply::new(rbuf, rlen, ReplyKind::ControlBinary) };
    if s.bytes_command(p, command, data, &mut reply) {
        return reply.finish(true);
    }
    drop(reply);
    refuse_control(
        p,
        Badarg::because(format!(
            "no bytes command numbered {command} (erldrv:commands(Port) lists the driver's commands)"
        )),
    )
}

/// `control` returned `Err`: the caller gets `badarg`, and first the reason, if there is one.
#[cold]
fn refuse_control(port: &Port<'_>, refusal: Badarg) -> sys::ErlDrvSSizeT {
    if let Some(reason) = refusal.reason() {
        // SAFETY: inside the control callback of this live port.
        unsafe { send_tagged(port.as_raw(), port.caller(), BADARG_REASON, reason) };
    }
    -1
}

pub(super) unsafe extern "C" fn call<D: Driver + DriverEntry>(
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
                // Each way out encodes its own reply, so that no `Result` has to be kept
                // in memory for the others: this is the whole cost of a small `port_call`.
                // SAFETY (all of them): the VM's reply arguments of this call, nothing
                // written yet.
                // The VM encodes port_call arguments uncompressed; inflate anyway, so that
                // every caller-facing decode path reads what `term_to_binary/2` writes.
                // Tested inline: the check is two byte compares on the hot path, the
                // inflating (never done for the VM's own encoding) is out of line.
                let raw = input(buf, len);
                let inflated;
                let input: &[u8] = if matches!(raw, [131, 80, ..]) {
                    inflated = match inflate_args(raw) {
                        Ok(bytes) => bytes,
                        Err(e) => return call_refused(rbuf, rlen, bad_args(e)),
                    };
                    &inflated
                } else {
                    raw
                };
                if D::SYNC_COMMANDS {
                    return sync_command_reply(s, p, command, input, rbuf, rlen);
                }
                let args = match decode_args::<D>(input) {
                    Ok(args) => args,
                    Err(e) => return call_refused(rbuf, rlen, bad_args(e)),
                };
                match s.call(p, command, args) {
                    Ok(r) => call_reply(rbuf, rlen, r),
                    Err(e) => call_refused(rbuf, rlen, e),
                }
            },
            on_panic,
        )
    }
}

/// Encodes `port_call`'s reply: the version byte, then the term.
///
/// # Safety
/// `rbuf`/`rlen` as the VM passed them to `call`, with no reply written into them yet.
#[inline(always)]
unsafe fn call_reply<T: ToTerm>(
    rbuf: *mut *mut c_char,
    rlen: sys::ErlDrvSizeT,
    term: T,
) -> sys::ErlDrvSSizeT {
    // SAFETY: per the contract.
    let mut out = Encoder::new(unsafe { CallOut::new(rbuf, rlen) });
    out.version();
    term.write(&mut out);
    // SAFETY: the same rbuf.
    unsafe { out.sink().finish(rbuf) }
}

/// A `#[command]` call: the command writes its result after the version byte; refused
/// arguments (nothing written yet) answer the error instead.
///
/// # Safety
/// As [`call_reply`].
unsafe fn sync_command_reply<D: Driver + DriverEntry>(
    state: &mut D,
    port: &Port<'_>,
    command: c_uint,
    input: &[u8],
    rbuf: *mut *mut c_char,
    rlen: sys::ErlDrvSizeT,
) -> sys::ErlDrvSSizeT {
    // SAFETY: per the contract.
    let mut out = Encoder::new(unsafe { CallOut::new(rbuf, rlen) });
    out.version();
    let run = match Decoder::new(input) {
        Ok(mut args) => state.sync_command(port, command, &mut args, &mut out),
        Err(e) => Err(bad_args(e)),
    };
    match run {
        // SAFETY: the same rbuf.
        Ok(()) => unsafe { out.sink().finish(rbuf) },
        Err(e) => {
            // Whatever the command wrote goes with the writer: start the reply again.
            drop(out);
            // SAFETY: per the contract; the dropped writer left `*rbuf` alone.
            unsafe { call_refused(rbuf, rlen, e) }
        }
    }
}

/// `call` returned `Err` (or its arguments did not decode): the reply is the error's term.
///
/// # Safety
/// As [`call_reply`].
#[cold]
#[inline(never)]
unsafe fn call_refused(
    rbuf: *mut *mut c_char,
    rlen: sys::ErlDrvSizeT,
    error: CallError,
) -> sys::ErlDrvSSizeT {
    // SAFETY: per the contract.
    unsafe { call_reply(rbuf, rlen, error) }
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
    static ERLDRV_PANIC: Atom = Atom::new("erldrv_panic");
    // SAFETY: per the contract.
    unsafe { call_reply(rbuf, rlen, (&ERLDRV_PANIC, message)) }
}

/// The arguments of `port_call`, as the driver's `CallArgs`.
#[inline(always)]
fn decode_args<D: Driver>(input: &[u8]) -> Result<D::CallArgs<'_>, DecodeError> {
    D::CallArgs::decode_from_vm(&mut Decoder::new(input)?)
}

/// `port_call` arguments in the compressed external format, inflated.
#[cold]
#[inline(never)]
fn inflate_args(raw: &[u8]) -> Result<Vec<u8>, DecodeError> {
    decompress(raw).map(std::borrow::Cow::into_owned)
}

#[cold]
fn bad_args(e: DecodeError) -> CallError {
    CallError::badarg(format!("port_call arguments: {e}"))
}

pub(super) unsafe extern "C" fn ready_async<D: Driver + DriverEntry>(
    data: sys::ErlDrvData,
    thread_data: sys::ErlDrvThreadData,
) {
    // SAFETY: the VM hands ready_async a job it got from our driver_async, once.
    let outcome = match unsafe { jobs::take::<D::Async>(TypeId::of::<D>(), thread_data) } {
        Finished::Ran(outcome) => outcome,
        Finished::NotRun => return,
        Finished::OtherDriver => {
            // Only possible by calling `spawn_async` on another driver's state: treat it
            // like a panic of the port.
            // SAFETY: VM arguments of a live port.
            unsafe {
                with_state::<D, _>(data, "`ready_async`", (), |_, _| {
                    panic!(
                        "an async job was spawned on the state of another driver type \
                         (`other.spawn_async(..)`); its result is not this driver's `Async`"
                    )
                })
            };
            return;
        }
    };
    // A job's panic is the job's error: the driver gets it, the port stays open.
    let result = outcome.map_err(|panic| JobPanic::new(panic.message()));
    // Kept outside the callback: when the port is already closing, the callback is skipped
    // and the result is dropped here instead (quietly, as any value of the driver's).
    let mut result = Some(result);
    // SAFETY: VM arguments of a live port.
    unsafe {
        with_state::<D, _>(data, "`ready_async`", (), |s, p| {
            if let Some(result) = result.take() {
                s.ready_async(p, result);
            }
        })
    };
    drop_quietly(result);
}

pub(super) unsafe extern "C" fn ready_input<D: Driver + DriverEntry>(
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

pub(super) unsafe extern "C" fn ready_output<D: Driver + DriverEntry>(
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

pub(super) unsafe extern "C" fn timeout<D: Driver + DriverEntry>(data: sys::ErlDrvData) {
    let cell = data.cast::<PortCell<D>>();
    // SAFETY: VM arguments of a live port.
    let meta = unsafe { &(*cell).meta };
    match meta.framework_timeout() {
        Timeout::Driver => {
            // SAFETY: VM arguments of a live port.
            unsafe { with_state::<D, _>(data, "`timeout`", (), |s, p| s.timeout(p)) }
        }
        // The framework's zero timer: run what waited for it, even on a poisoned port (its
        // pending close must still happen), and nothing of the driver's.
        Timeout::Framework => {
            if meta.enter_for_framework() {
                // SAFETY: entered just above.
                unsafe { leave(cell) };
            }
        }
    }
}

pub(super) unsafe extern "C" fn flush<D: Driver + DriverEntry>(data: sys::ErlDrvData) {
    // SAFETY: VM arguments of a live port.
    unsafe { with_state::<D, _>(data, "`flush`", (), |s, p| s.flush(p)) }
}

pub(super) unsafe extern "C" fn process_exit<D: Driver + DriverEntry>(
    data: sys::ErlDrvData,
    monitor: *mut sys::ErlDrvMonitor,
) {
    if monitor.is_null() {
        return;
    }
    // SAFETY: the VM passes a valid monitor for the callback's duration.
    let raw_monitor = unsafe { *monitor };
    // SAFETY: VM arguments of a live port.
    let meta = unsafe { &(*data.cast::<PortCell<D>>()).meta };
    if meta.has_watches() {
        // A monitor of `Request::watch_caller`: the framework's, not the driver's.
        // SAFETY: VM arguments of a live port.
        let ours = unsafe {
            with_state::<D, _>(data, "`process_exit`", false, |_, p| {
                request::caller_exited(p, &Monitor::from_raw(raw_monitor))
            })
        };
        if ours {
            return;
        }
    }
    meta.exiting_monitor.set(Some(raw_monitor));
    // SAFETY: VM arguments of a live port.
    unsafe {
        with_state::<D, _>(data, "`process_exit`", (), |s, p| {
            s.process_exit(p, Monitor::from_raw(raw_monitor))
        })
    };
    // The cell is still allocated: a close inside process_exit waits for the timer.
    meta.exiting_monitor.set(None);
}
