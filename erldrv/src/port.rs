//! The scheduler-side port handle, [`Port`]: the driver's view of a port's bookkeeping
//! ([`PortMeta`](crate::state::PortMeta)) and of the driver API calls it may make.
//!
//! Every `unsafe` call here relies on one fact: a [`Port`] exists only inside a callback of
//! its live port (from `start` to `stop`), on the scheduler thread running that callback.
//! The SAFETY comments say "in a callback" for that; where the VM cannot take a call in
//! some callbacks (`stop`, `process_exit`), the method checks first and the comment says
//! so. The table in the docs of [`Port`] lists those cases.

use core::ffi::{c_char, c_int, c_ulong};
use core::fmt;
use core::marker::PhantomData;
use core::ops::ControlFlow;
use core::ptr::NonNull;
use core::task::Poll;
use std::time::{Duration, Instant};

use erldrv_sys as sys;

use crate::binary::Binary;
use crate::error::{DemonitorError, ExitReason, MonitorError, StartError};
use crate::ids::{Monitor, Pid, PortId};
use crate::iovec::IoVec;
use crate::state::{Deferred, PortMeta};
use crate::term::{BuildError, TermBuilder, ToTerm};

/// The port a callback runs for: the handle for everything a driver does on a scheduler
/// thread — output to the owner, control mode, busy state, timers, select (see
/// [`Port::select`] and [`Port::select_owned`]), monitors, the driver queue
/// ([`Port::queue`], and [`Port::queue_handle`] for other threads), long work in time slices
/// ([`Port::run_sliced`]), async jobs and closing the port.
///
/// A `Port` is only ever lent to callbacks (`&Port`) and is neither `Send` nor `Sync`: the
/// `driver_*` functions behind it may only be called from the scheduler thread running a
/// callback of this port. Work done on another thread reports back through a callback
/// ([`Driver::spawn_async`](crate::Driver::spawn_async) delivers its result to
/// `ready_async`, on a scheduler thread), answers its caller itself
/// ([`Port::request`]), or sends term messages through a [`Sender`](crate::Sender)
/// ([`Port::sender`]).
///
/// # Where each method may be called
/// `init`, `finish` and `stop_select` get no `Port` at all: the VM allows no port call
/// there. Every callback that gets one may call every method; where the VM cannot take a
/// call in that callback, the framework defers it until it can, or refuses it with the
/// result below. Nothing is passed through to a VM that would misbehave. "Closing" means a
/// port closed while its driver queue held data: [`flush`](crate::Driver::flush) runs, then
/// whatever callback drains the queue (a `timeout`, say), then `stop`.
///
/// | method | in `start` | in `process_exit` | while closing | in `stop` |
/// |---|---|---|---|---|
/// | [`exit`](Port::exit) | after `start` returns | after `process_exit` returns | closes at once after the callback, with the reason the close already has | ignored |
/// | [`init_ack`](Port::init_ack) | after `start` returns | allowed | allowed | ignored |
/// | [`spawn_async`](crate::Driver::spawn_async) | after `start` returns | allowed | allowed | dropped: the job never runs |
/// | [`spawn_job`](Port::spawn_job), [`Request::spawn`](crate::Request::spawn) | allowed | allowed | allowed | dropped: the job never runs |
/// | [`set_timer`](Port::set_timer), [`cancel_timer`](Port::cancel_timer), the continuation of [`run_sliced`](Port::run_sliced) | after `start` returns | after a close requested there | allowed | ignored |
/// | [`queue_handle`](Port::queue_handle) | allowed | allowed | allowed | a handle that is closed already |
/// | [`create_port`](Port::create_port), [`create_port_with`](Port::create_port_with) | allowed | allowed | allowed | refused (`Stopped`) |
/// | [`monitor_process`](Port::monitor_process) | allowed | allowed | allowed | [`Err(Stopping)`](crate::MonitorError::Stopping) |
/// | [`demonitor_process`](Port::demonitor_process) | allowed | [`Err(NoMonitor)`](crate::DemonitorError::NoMonitor) for the monitor being delivered; others allowed | allowed | allowed |
/// | [`output`](Port::output) and the other output and send methods | allowed | allowed | dropped by the VM ([`output_term`](Port::output_term): not delivered) | delivered, unless the port was closing |
/// | everything else (queue, select, busy, busy message queue, control mode, timers read, ids, os pid, open flags) | allowed | allowed | allowed | allowed |
///
/// "After `start` returns" and "after `process_exit` returns": the action runs from a zero
/// timer of the framework's, right after the callback. `start` cannot take them (the VM has
/// no port data yet and no init ack waiting), and closing the port inside `process_exit`
/// crashes the VM. Exits, init acks and async jobs requested anywhere else run when the
/// current callback returns, since the VM may call back into the driver from inside them.
///
/// Each row that is not "allowed" is checked in a real VM by `beam-tests` (`contexts_tests`,
/// `lifecycle_start_tests`, `misuse_tests`).
pub struct Port<'a> {
    /// The port's bookkeeping, lent for `'a`. A pointer rather than `&'a PortMeta`: it alone
    /// makes `Port` neither `Send` nor `Sync`, so the compiler explains a misuse with one
    /// reason instead of one per field of the bookkeeping.
    meta: NonNull<PortMeta>,
    _lent: PhantomData<&'a ()>,
}

impl<'a> Port<'a> {
    #[inline]
    pub(crate) fn new(meta: &'a PortMeta) -> Port<'a> {
        Port {
            meta: NonNull::from(meta),
            _lent: PhantomData,
        }
    }

    #[inline]
    pub(crate) fn meta(&self) -> &'a PortMeta {
        // SAFETY: made from a `&'a PortMeta` in `new`; `Port` is neither Send nor Sync, so
        // the reference is used on the thread that lent it, as a shared borrow.
        unsafe { self.meta.as_ref() }
    }

    /// The raw `ErlDrvPort`, for calling `erldrv-sys` directly.
    pub fn as_raw(&self) -> sys::ErlDrvPort {
        self.meta().raw
    }

    /// The port identifier term (`driver_mk_port`), usable from other threads.
    pub fn id(&self) -> PortId {
        // SAFETY: in a callback (any: see the module docs).
        PortId(unsafe { sys::driver_mk_port(self.meta().raw) })
    }

    /// Sends `{Port, {data, Bytes}}` to the port owner (`driver_output`). Bytes arrive as a
    /// binary or a list depending on how the port was opened.
    pub fn output(&self, bytes: &[u8]) {
        // SAFETY: in a callback (any; the VM drops the data while the port closes with a
        // queue); the VM copies the bytes and does not write them.
        unsafe { sys::driver_output(self.meta().raw, c_bytes(bytes), bytes.len()) };
    }

    /// Sends a header and a body as one message (`driver_output2`); with the `{header, N}`
    /// option the header bytes arrive as list elements in front of the body.
    pub fn output2(&self, header: &[u8], body: &[u8]) {
        // SAFETY: as in `output`.
        unsafe {
            sys::driver_output2(
                self.meta().raw,
                c_bytes(header),
                header.len(),
                c_bytes(body),
                body.len(),
            )
        };
    }

    /// Sends `header` followed by `len` bytes of `binary` from `offset`, without copying the
    /// binary (`driver_output_binary`).
    ///
    /// # Panics
    /// When `offset + len` is beyond the end of the binary.
    pub fn output_binary(&self, header: &[u8], binary: &Binary, offset: usize, len: usize) {
        assert!(
            offset
                .checked_add(len)
                .is_some_and(|end| end <= binary.len()),
            "output_binary: range {offset}+{len} outside a binary of {} bytes",
            binary.len()
        );
        // SAFETY: in a callback (any, as `output`); range checked above; the VM takes its own
        // reference to the binary.
        unsafe {
            sys::driver_output_binary(
                self.meta().raw,
                c_bytes(header),
                header.len(),
                binary.as_raw(),
                offset,
                len,
            )
        };
    }

    /// Sends `header` and then the data of `data` from byte `skip` on, sharing the binaries
    /// instead of copying them (`driver_outputv`) — the zero-copy way to pass
    /// [`outputv`](crate::Driver::outputv) data on.
    ///
    /// Takes the vector by value: the VM trims its segments in place while sending them.
    /// A `skip` beyond the data's length sends the header alone.
    pub fn outputv(&self, header: &[u8], data: IoVec<'_>, skip: usize) {
        let skip = skip.min(data.len());
        // SAFETY: in a callback (any, as `output`). The I/O vector is the VM's, live for the
        // callback and not used again after
        // this call (it is consumed); skip is within its size.
        unsafe {
            sys::driver_outputv(
                self.meta().raw,
                c_bytes(header),
                header.len(),
                data.as_raw(),
                skip,
            )
        };
    }

    /// Sends `value` to the port owner as an Erlang term (`erl_drv_output_term`).
    ///
    /// The owner receives the term itself, not wrapped in `{Port, {data, ...}}` as
    /// [`output`](Port::output) bytes are: include [`Port::id`] in the term if the owner
    /// needs to know where it came from (a [`PortId`](crate::PortId) is a term value, as is a
    /// [`Pid`]). The term is built without the external format
    /// (no encoding and decoding), and [`Binary`] values in it are shared, not copied.
    ///
    /// Nothing is sent if the term is not valid (see [`TermBuilder`] for what is refused):
    /// the error says what is wrong. An error also comes back when the VM does not deliver
    /// the message ([`BuildErrorKind::NotDelivered`](crate::term::BuildErrorKind::NotDelivered):
    /// the port is closing) or refuses it.
    ///
    /// Reuses a builder kept by the port, so that sending does not allocate once messages
    /// of the size have been sent.
    ///
    /// ```no_run
    /// # use erldrv::{Port, term::Atom};
    /// static READING: Atom = Atom::new("reading");
    /// # fn f(port: &Port) -> Result<(), erldrv::term::BuildError> {
    /// // The owner receives {reading, 21.5, [1, 2, 3]}.
    /// port.output_term(&(&READING, 21.5, vec![1, 2, 3]))?;
    /// // {Port, Caller, reading}
    /// port.output_term(&(port.id(), port.caller(), &READING))?;
    /// # Ok(()) }
    /// ```
    pub fn output_term<T: ToTerm + ?Sized>(&self, value: &T) -> Result<(), BuildError> {
        self.with_scratch(value, |b| self.output_built(b))
    }

    /// Sends `value` as an Erlang term to the process `to` (`erl_drv_send_term`), say the
    /// [`caller`](Port::caller) of a `port_control`. As [`output_term`](Port::output_term),
    /// but to any local process.
    ///
    /// When `to` is no longer alive the message is dropped and the error is
    /// [`BuildErrorKind::NotDelivered`](crate::term::BuildErrorKind::NotDelivered)
    /// ([`BuildError::is_not_delivered`]): like Erlang's `!`, sending to a dead process is
    /// not a failure of the sender, and most drivers ignore that case.
    ///
    /// ```no_run
    /// # use erldrv::{Port, term::Atom};
    /// static DONE: Atom = Atom::new("done");
    /// # fn f(port: &Port) {
    /// match port.send_term(port.caller(), &(&DONE, 42)) {
    ///     Ok(()) => {}
    ///     Err(e) if e.is_not_delivered() => {} // the caller has exited meanwhile
    ///     Err(e) => panic!("{e}"),
    /// }
    /// # }
    /// ```
    pub fn send_term<T: ToTerm + ?Sized>(&self, to: Pid, value: &T) -> Result<(), BuildError> {
        self.with_scratch(value, |b| self.send_built(to, b))
    }

    /// Sends the term in `term` to the port owner (`erl_drv_output_term`), as
    /// [`output_term`](Port::output_term) does. The builder is left as it was: the same
    /// term can be sent again, or the builder [cleared](TermBuilder::clear) for the next one.
    ///
    /// ```no_run
    /// # use erldrv::{Port, term::{Atom, BuildError, TermBuilder, TermWriter}};
    /// static DATA: Atom = Atom::new("data");
    /// # fn f(port: &Port, b: &mut TermBuilder, payload: &[u8]) -> Result<(), BuildError> {
    /// // {Port, {data, Payload}}, in a builder kept in the port state
    /// b.clear();
    /// b.tuple(2);
    /// b.port(port.id());
    /// b.tuple(2);
    /// b.atom(&DATA);
    /// b.binary(payload);
    /// port.output_built(b)?;
    /// # Ok(()) }
    /// ```
    pub fn output_built(&self, term: &mut TermBuilder) -> Result<(), BuildError> {
        let port = self.id().as_raw();
        // SAFETY: in a callback (any; while the port closes with a queue the VM reports 0,
        // not delivered). A specification the builder has checked, whose pointers stay valid until
        // the call returns (the VM copies what it needs, and takes its own binary references).
        term.deliver(|spec, len| unsafe { sys::erl_drv_output_term(port, spec, len) })
    }

    /// Sends the term in `term` to the process `to` (`erl_drv_send_term`), as
    /// [`send_term`](Port::send_term) does.
    pub fn send_built(&self, to: Pid, term: &mut TermBuilder) -> Result<(), BuildError> {
        let port = self.id().as_raw();
        // SAFETY: as in `output_built`.
        term.deliver(|spec, len| unsafe { sys::erl_drv_send_term(port, to.0, spec, len) })
    }

    /// Writes `value` into the port's reusable builder and sends it with `send`.
    fn with_scratch<T: ToTerm + ?Sized>(
        &self,
        value: &T,
        send: impl FnOnce(&mut TermBuilder) -> Result<(), BuildError>,
    ) -> Result<(), BuildError> {
        // Taken out while in use: a `write` that sends a message itself gets a new builder.
        let mut b = self
            .meta()
            .term_scratch
            .take()
            .unwrap_or_else(|| Box::new(TermBuilder::on_scheduler()));
        value.write(&mut *b);
        let result = send(&mut b);
        b.clear();
        if b.worth_keeping() {
            self.meta().term_scratch.set(Some(b));
        }
        result
    }

    /// Makes `port_control/3` replies binaries (`true`) or byte lists (`false`, the default)
    /// — `set_port_control_flags` with `PORT_CONTROL_FLAG_BINARY`.
    pub fn set_control_binary(&self, binary: bool) {
        self.meta().control_binary.set(binary);
        let flags = if binary {
            sys::PORT_CONTROL_FLAG_BINARY
        } else {
            0
        };
        // SAFETY: in a callback (any).
        unsafe { sys::set_port_control_flags(self.meta().raw, flags) };
    }

    /// Marks the port busy or not (`set_busy_port`). While busy, processes calling
    /// `port_command/2` on it are suspended, unless the driver has `soft_busy` and they
    /// pass `[force]`.
    pub fn set_busy(&self, busy: bool) {
        // SAFETY: in a callback (any).
        unsafe { sys::set_busy_port(self.meta().raw, c_int::from(busy)) };
    }

    /// The port owner: the connected process (`driver_connected`).
    pub fn connected(&self) -> Pid {
        // SAFETY: in a callback (any).
        Pid(unsafe { sys::driver_connected(self.meta().raw) })
    }

    /// The process whose request the current callback serves (`driver_caller`): the sender
    /// of `port_command`, `port_control` or `port_call`.
    pub fn caller(&self) -> Pid {
        // SAFETY: in a callback (any).
        Pid(unsafe { sys::driver_caller(self.meta().raw) })
    }

    /// Closes the port with `reason` once the current callback returns (`driver_failure_*`,
    /// `driver_exit`). The VM then calls [`stop`](crate::Driver::stop).
    ///
    /// Closing is deferred because the VM may run `stop` from inside the close call, and the
    /// callback still borrows the port's state. Calls inside `stop` are ignored. From
    /// [`process_exit`](crate::Driver::process_exit) the port closes from a zero timer just
    /// after the callback: the VM crashes if a port closes inside that callback.
    pub fn exit(&self, reason: ExitReason) {
        self.meta().defer(Deferred::Exit(reason));
    }

    /// Acknowledges the start of the port to the waiting `open_port/2` (`erl_drv_init_ack`),
    /// for drivers declared with `init_ack`: `Ok` lets `open_port/2` return the port,
    /// `Err` makes it fail as a `start` error would (and closes the port). Takes effect when
    /// the current callback returns.
    ///
    /// Called from `start`, the acknowledgement goes out right after `start` returns (the VM
    /// only starts waiting for it then). Only the first acknowledgement counts; the VM
    /// ignores later ones.
    pub fn init_ack(&self, result: Result<(), StartError>) {
        self.meta().defer(Deferred::InitAck(result));
    }

    /// Starts (or restarts) the port's timer: [`timeout`](crate::Driver::timeout) is called
    /// after `millis` milliseconds (`driver_set_timer`). Longer than `u32::MAX` ms (about
    /// 49.7 days, the longest Erlang timer too) is clamped to that: the VM would fire a
    /// longer one at once. While the framework itself needs the
    /// port timer (just after `start`, or to close the port after `process_exit`), the timer
    /// starts once the framework is done with it.
    pub fn set_timer(&self, millis: u64) {
        self.meta().set_timer(millis);
    }

    /// Cancels the port's timer (`driver_cancel_timer`).
    pub fn cancel_timer(&self) {
        self.meta().cancel_timer();
    }

    /// Milliseconds left on the port's timer, or `None` when no timer runs
    /// (`driver_read_timer`). Just after `start`, and while a port closes after
    /// `process_exit`, this is the framework's own zero timer.
    pub fn read_timer(&self) -> Option<u64> {
        let mut left: c_ulong = 0;
        // SAFETY: in a callback (any); valid out-pointer.
        let r = unsafe { sys::driver_read_timer(self.meta().raw, &mut left) };
        (r == 0 && left > 0).then_some(left as u64)
    }

    /// Monitors `pid`: when it dies, [`process_exit`](crate::Driver::process_exit) is called
    /// with the returned monitor (`driver_monitor_process`).
    ///
    /// The error says why there is no monitor: [`MonitorError::NoProcess`] when the process
    /// has exited already (no `process_exit` will come for it, so act on its exit now),
    /// [`MonitorError::Stopping`] inside [`stop`](crate::Driver::stop) (the port is going
    /// away: the monitor could never fire), [`MonitorError::Refused`] when the VM refuses
    /// (also when the driver entry has no `process_exit`: write the method, or
    /// `#[erl_driver(watch_callers)]`).
    ///
    /// ```no_run
    /// use erldrv::{MonitorError, Port};
    ///
    /// # fn f(port: &Port) {
    /// match port.monitor_process(port.caller()) {
    ///     Ok(monitor) => { /* keep it, to compare with the one process_exit gets */ }
    ///     Err(MonitorError::NoProcess) => { /* the caller has exited meanwhile */ }
    ///     Err(e) => eprintln!("{e}"),
    /// }
    /// # }
    /// ```
    ///
    /// # Panics
    /// While this thread holds a [`QueueGuard`](crate::QueueGuard) of the port and the port
    /// has a [`queue_handle`](Port::queue_handle): the VM takes the port data lock here,
    /// and would wait for this thread forever. Drop the guard first. (The same holds for
    /// [`demonitor_process`](Port::demonitor_process) and
    /// [`monitored_process`](Port::monitored_process).)
    pub fn monitor_process(&self, pid: Pid) -> Result<Monitor, MonitorError> {
        self.refuse_under_queue_lock("monitor_process");
        if self.meta().stopped() {
            return Err(MonitorError::Stopping);
        }
        let mut m = core::mem::MaybeUninit::<sys::ErlDrvMonitor>::zeroed();
        // SAFETY: in a callback other than `stop` (checked above); valid out-pointer.
        let r = unsafe { sys::driver_monitor_process(self.meta().raw, pid.0, m.as_mut_ptr()) };
        match r {
            // SAFETY: zero-initialised and filled in on success.
            0 => Ok(Monitor(unsafe { m.assume_init() })),
            r if r > 0 => Err(MonitorError::NoProcess),
            _ => Err(MonitorError::Refused),
        }
    }

    /// Removes a monitor (`driver_demonitor_process`): `process_exit` will not be called
    /// for it. [`DemonitorError::NoMonitor`] when it had fired (its process exited) or was
    /// removed before.
    ///
    /// Inside [`process_exit`](crate::Driver::process_exit), the monitor being delivered
    /// has fired: demonitoring it is `Err(NoMonitor)` without reaching the VM, which would
    /// crash (OTP 25 still works on the monitor it is delivering). Other monitors can be
    /// removed there as anywhere else.
    ///
    /// ```no_run
    /// use erldrv::{DemonitorError, Monitor, Port};
    ///
    /// # fn f(port: &Port, monitor: Monitor) {
    /// let removed = port.demonitor_process(&monitor).is_ok();
    /// assert_eq!(port.demonitor_process(&monitor), Err(DemonitorError::NoMonitor));
    /// # }
    /// ```
    ///
    /// # Panics
    /// As [`monitor_process`](Port::monitor_process), while this thread holds a queue guard
    /// of a port with a queue handle.
    pub fn demonitor_process(&self, monitor: &Monitor) -> Result<(), DemonitorError> {
        self.refuse_under_queue_lock("demonitor_process");
        if let Some(exiting) = self.meta().exiting_monitor.get()
            && Monitor(exiting) == *monitor
        {
            return Err(DemonitorError::NoMonitor);
        }
        // SAFETY: in a callback (any); the monitor is read only and is not the one
        // the VM is delivering (checked above).
        match unsafe { sys::driver_demonitor_process(self.meta().raw, &monitor.0) } {
            0 => Ok(()),
            r if r > 0 => Err(DemonitorError::NoMonitor),
            _ => Err(DemonitorError::Refused),
        }
    }

    /// The process a monitor watches (`driver_get_monitored_process`).
    ///
    /// # Panics
    /// As [`monitor_process`](Port::monitor_process), while this thread holds a queue guard
    /// of a port with a queue handle.
    pub fn monitored_process(&self, monitor: &Monitor) -> Option<Pid> {
        self.refuse_under_queue_lock("monitored_process");
        // SAFETY: in a callback (any, including `process_exit` for the monitor being
        // delivered: the VM only reads it); the monitor is read only.
        let t = unsafe { sys::driver_get_monitored_process(self.meta().raw, &monitor.0) };
        // The VM answers `driver_term_nil` for a monitor that fired or was removed.
        // SAFETY: reading an immutable static of the VM.
        let nil = unsafe { sys::driver_term_nil };
        (t != 0 && t != nil).then_some(Pid(t))
    }

    /// Makes the driver permanent: loaded until the VM exits (`driver_lock_driver`). There
    /// is no way back. Returns `false` if the VM refused (the port is no longer valid for
    /// it); calling it again on a permanent driver changes nothing and returns `true`.
    ///
    /// A driver stays loaded anyway while any of its ports is open: this is for a driver
    /// whose unloading would be wrong even with no port open, say one that handed a
    /// function pointer or a thread of its own to a C library that keeps it. erldrv never
    /// calls it on its own: a driver becomes permanent only through this method.
    ///
    /// After the call, `erl_ddll:unload_driver/1` and `erl_ddll:reload_driver/2` fail
    /// with `{error, permanent}` (on OTP 25), `erl_ddll:info(Name, permanent)` is `true`,
    /// and the driver's [`finish`](crate::Driver::finish) never runs: the library stays
    /// mapped, its statics and threads live on until the VM exits.
    ///
    /// ```no_run
    /// # use erldrv::Port;
    /// # fn f(port: &Port) {
    /// // The C library now holds our callback: unloading would leave it dangling.
    /// assert!(port.lock_driver(), "the VM refused to make the driver permanent");
    /// # }
    /// ```
    pub fn lock_driver(&self) -> bool {
        // SAFETY: in a callback (any); the VM checks the port itself and answers -1 for
        // one it no longer serves.
        unsafe { sys::driver_lock_driver(self.meta().raw) == 0 }
    }

    /// Tells the VM that the callback used `percent` of its time slice
    /// (`erl_drv_consume_timeslice`; the VM counts 1 to 100, about 10 µs each). Returns
    /// `true` when the slice is used up and the callback should return soon, `false` while
    /// it may go on: the VM's two answers (non-zero and zero), no more.
    /// [`run_sliced`](Port::run_sliced) does the measuring and the continuing for you.
    pub fn consume_timeslice(&self, percent: u8) -> bool {
        // SAFETY: in a callback (any).
        unsafe {
            sys::erl_drv_consume_timeslice(self.meta().raw, c_int::from(percent.min(100))) != 0
        }
    }

    /// Runs long work on the scheduler without holding it: calls `step` again and again
    /// until it returns [`ControlFlow::Break`] with the result (`Poll::Ready(result)`), or
    /// until the VM says this callback has used up its time slice. Then it returns
    /// `Poll::Pending` with the port timer set to zero, so that
    /// [`timeout`](crate::Driver::timeout) is called as soon as the scheduler has run the
    /// other processes and ports waiting for it: call `run_sliced` again there to go on.
    ///
    /// `step` does one piece of the work, keeping its progress in the driver's state (or in
    /// what it captures), and returns [`ControlFlow::Continue`] while there is more. At
    /// least one step runs per call. The time each step takes is measured and reported to
    /// the VM (`erl_drv_consume_timeslice`, where 1 % of a slice is about 10 µs); steps of
    /// some microseconds to some tens of microseconds keep the measuring cheap and the
    /// callback close to its slice (the VM's guideline is about 1 ms per callback).
    ///
    /// The port has one timer, shared with [`set_timer`](Port::set_timer): the zero timer
    /// replaces a timer the driver had set, and a timer set before the continuation runs
    /// replaces the zero timer. Where the framework uses the timer itself (just after
    /// `start`, say) the continuation follows once it is done. In
    /// [`stop`](crate::Driver::stop) no timer can start, so `Pending` there means the work
    /// is abandoned with the port.
    ///
    /// ```no_run
    /// use std::ops::ControlFlow;
    /// use std::task::Poll;
    ///
    /// use erldrv::Port;
    ///
    /// /// Sums a range a chunk per step.
    /// struct Sum { next: u64, end: u64, total: u64 }
    ///
    /// impl Sum {
    ///     fn step(&mut self) -> ControlFlow<u64> {
    ///         let stop = self.end.min(self.next + 10_000);
    ///         self.total += (self.next..stop).sum::<u64>();
    ///         self.next = stop;
    ///         if stop == self.end { ControlFlow::Break(self.total) } else { ControlFlow::Continue(()) }
    ///     }
    /// }
    ///
    /// struct Summer { job: Option<Sum> }
    ///
    /// impl Summer {
    ///     // from `control` to start, and from `timeout` to go on
    ///     fn work(&mut self, port: &Port) {
    ///         let Some(job) = &mut self.job else { return };
    ///         if let Poll::Ready(total) = port.run_sliced(|| job.step()) {
    ///             self.job = None;
    ///             port.output(total.to_string().as_bytes());
    ///         }
    ///     }
    /// }
    /// ```
    pub fn run_sliced<R>(&self, mut step: impl FnMut() -> ControlFlow<R>) -> Poll<R> {
        /// About 1 % of a time slice.
        const PERCENT: Duration = Duration::from_micros(10);
        let mut unreported = Duration::ZERO;
        let mut since = Instant::now();
        loop {
            if let ControlFlow::Break(result) = step() {
                return Poll::Ready(result);
            }
            let now = Instant::now();
            unreported += now - since;
            since = now;
            if unreported < PERCENT {
                continue;
            }
            // Whole percents only; the rest is reported with the next steps.
            let percent = (unreported.as_micros() / PERCENT.as_micros()).min(100) as u32;
            unreported = unreported.saturating_sub(PERCENT * percent);
            if self.consume_timeslice(percent as u8) {
                self.set_timer(0);
                return Poll::Pending;
            }
        }
    }

    /// Panics instead of calling a VM function that takes the port data lock while this
    /// thread holds it (the VM would wait for itself).
    fn refuse_under_queue_lock(&self, method: &str) {
        assert!(
            !self.meta().queue_locked_here(),
            "Port::{method} while this thread holds the port's driver queue (a QueueGuard): \
             the VM takes the same lock there and would wait forever; drop the guard first"
        );
    }
}

/// A byte slice as the `char *` the VM's output and queue functions take; they only read it.
pub(crate) fn c_bytes(bytes: &[u8]) -> *mut c_char {
    bytes.as_ptr().cast_mut().cast::<c_char>()
}

impl fmt::Debug for Port<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Port")
            .field("raw", &self.meta().raw)
            .finish()
    }
}
