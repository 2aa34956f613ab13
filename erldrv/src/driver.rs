//! The `Driver` trait: one method per `ErlDrvEntry` callback.

use std::any::TypeId;

use crate::command::CommandInfo;
use crate::error::{Badarg, CallError, InitError, JobPanic, StartError};
use crate::ids::Monitor;
use crate::iovec::IoVec;
use crate::jobs;
use crate::pool::Cancel;
use crate::port::Port;
use crate::reply::Reply;
use crate::select::Event;
use crate::state::Deferred;
use crate::term::{Decoder, FromTerm, ToTerm};

/// A linked-in driver: the type is the state of one open port, its methods are the
/// callbacks of the driver entry.
///
/// Put `#[erl_driver]` on the `impl Driver for ...` block. The attribute fills in the entry
/// slots of the methods the block writes; other slots stay NULL, so the VM's own default
/// applies (the defaults below describe that behaviour). Write only the callbacks your
/// driver needs. `start` is required. Five slots are always filled, because the framework
/// needs them whatever the block writes: `start` and `stop` (they create and free the port
/// state), `timeout` (the framework's zero timer: what `start` or `process_exit` asks for
/// that the VM takes only after they return, such as [`Port::exit`] or an init ack, runs
/// when it fires, and every driver writes `start`), `stop_select`, where it releases the
/// descriptors of [`Port::select_owned`], and `finish`, where it also joins the threads
/// started with [`thread::spawn`](crate::thread::spawn) and the worker pool before the
/// library is unloaded. Left out, they do nothing more than that.
///
/// Two slots the framework could use stay NULL unless asked for, so that the VM behaves as
/// for a C driver without them: `ready_async` (without it the VM frees a finished
/// [`spawn_async`](Driver::spawn_async) job, result and panic included, which is what the
/// default method would do) and `process_exit`, filled when the block writes it or the
/// attribute says `watch_callers` (needed by
/// [`Request::watch_caller`](crate::Request::watch_caller)); without it the VM refuses
/// monitors ([`Port::monitor_process`] returns `Err(`[`MonitorError::Refused`](crate::MonitorError::Refused)`)`).
///
/// # Choosing the driver at load time
/// A library presents one driver entry, chosen in `driver_init`, before `init` runs: the
/// VM copies the entry's callbacks then, so what the driver does cannot be switched from
/// `init`. To choose from the environment (CPU features, the OS, the VM's environment),
/// mark each candidate `#[erl_driver(name = "...", candidate)]` and write the choice with
/// [`driver_init!`](crate::driver_init!); each candidate has its own entry, callbacks and
/// options.
///
/// # Threads and locking
/// Callbacks run on the VM's scheduler threads. Calls for one port never overlap, but they
/// may come from different threads, hence `Send`. By default one driver-wide lock serializes
/// all ports of the driver; with `#[erl_driver(port_locking)]` each port has its own lock,
/// ports run in parallel, and state shared between ports (statics) must be synchronized.
///
/// A callback blocks its scheduler: keep callbacks short (well under a millisecond) and move
/// long work to the driver's worker pool ([`Port::request`], [`Port::spawn_job`]), to
/// [`spawn_async`](Driver::spawn_async), or to your own threads.
///
/// # Panics
/// A panic never unwinds into the VM, with one exception Rust itself imposes: a panic
/// raised while another panic unwinds (a `Drop` that panics while a callback's panic drops
/// the values on its way out) aborts the process, and the process is the whole VM. No
/// `catch_unwind` can stop that. Do not panic in `Drop` implementations of anything a
/// driver keeps; the framework never does.
///
/// What each panic does:
/// - **In a port callback** (`output`, `outputv`, `control`, `call`, `ready_async`,
///   `ready_input`, `ready_output`, `timeout`, `flush`, `process_exit`): the port closes.
///   The owner first receives `{Port, {erldrv_panic, Message}}` (the message as a binary),
///   then the port exits with reason `erldrv_panic`. The port's later callbacks are skipped
///   (its state may be inconsistent), but `stop` still runs so that resources are released.
///   - `control`: the caller gets `badarg`; a caller that is not the owner also receives
///     `{Port, {erldrv_panic, Message}}`, and `erldrv:control/3` raises
///     `error({erldrv_panic, Message})`.
///   - `call`: the caller gets the reply `{erldrv_panic, Message}`, which `erldrv:call/3`
///     raises as `error({erldrv_panic, Message})`.
///   - **While a port closes with data in its queue** (in `flush`, or a `timeout` that
///     drains the queue after it): the VM takes no message from a closing port and has sent
///     the exit signal already, with the reason the close was given. The owner cannot be
///     told; the port closes at once, and the panic is reported on standard error.
/// - **An async job** ([`spawn_async`](Driver::spawn_async)): the port stays open;
///   `ready_async` receives `Err(JobPanic)` with the message.
/// - **A pool job**: the port stays open. A [`Request`](crate::Request)'s caller is
///   answered `{error, {erldrv_panic, Message}}`; the owner of a port whose
///   [`Port::spawn_job`] panicked receives `{Port, {erldrv_job_panic, Message}}`.
/// - **In `start`**: `open_port/2` fails with `einval`; the opener first receives
///   `{Port, {erldrv_panic, Message}}` (`erldrv:open/2,3` raises `error({erldrv_panic,
///   Message})`).
/// - **In `init`**: loading fails with `{error, driver_init_failed}`; `erldrv:load/2`
///   raises an error whose text contains the message.
/// - **In `stop`, `finish` and `stop_select`**: contained; no process is waiting for these
///   callbacks, so the panic is reported on standard error only.
///
/// Every panic is written once to the VM's standard error by erldrv's panic hook (installed
/// when the driver loads, in this driver's library only): the message, cut to 4 KiB with its
/// full length stated, and where it was raised, plus a backtrace when `RUST_BACKTRACE` is
/// set. A second line says what became of the port. Backtraces are symbolized on the
/// panicking thread: the first one of a loaded driver reads the debug information of the
/// VM's libraries (a second or two for a debug build, during which that scheduler or async
/// thread does nothing else); later ones reuse it. It is freed when the driver unloads, so a
/// driver unloaded after panics leaves no memory behind. A driver that installs its own hook
/// (in `init`, say) replaces erldrv's.
pub trait Driver: Sized + Send + 'static {
    /// What async jobs of this driver produce (see [`spawn_async`](Driver::spawn_async)); handed to
    /// [`ready_async`](Driver::ready_async). `#[erl_driver]` sets it to `()` when the block
    /// leaves it out.
    type Async: Send + 'static;

    /// The arguments of [`call`](Driver::call), decoded from the `port_call/3` term.
    /// `#[erl_driver]` takes it from the `call` method's signature (or sets `()` when there
    /// is no `call`).
    type CallArgs<'a>: FromTerm<'a>;

    /// What [`call`](Driver::call) returns to the `port_call/3` caller. `#[erl_driver]` takes
    /// it from the `call` method's signature (or sets `()`).
    type CallReply<'a>: ToTerm;

    /// Called once when the driver is loaded (`erl_ddll:load_driver/2`), before any port
    /// opens, on a scheduler thread, while the VM holds its lock on the list of drivers.
    /// Driver-wide setup goes here.
    ///
    /// An error refuses the load: `erl_ddll:load_driver/2` returns
    /// `{error, driver_init_failed}`, the VM's one word for a driver that will not load
    /// (`erl_ddll:format_error/1` gives "Driver init failed"; no text of the driver's
    /// reaches it), and the library is unloaded without [`finish`](Driver::finish). The
    /// message is written to standard error, and erldrv passes it through the VM's
    /// environment to `erldrv:load/2`, which raises
    /// `error({erldrv_load_failed, Name, Dir, Text})` with `Text` ending in the message. A
    /// panic refuses the same way, with the panic message.
    ///
    /// `init` runs after the VM has taken the entry's callbacks: to present other
    /// callbacks depending on the environment, choose the driver in
    /// [`driver_init!`](crate::driver_init!) instead.
    ///
    /// ```no_run
    /// use erldrv::{Driver, InitError, Port, StartError, erl_driver};
    ///
    /// struct Gpio;
    ///
    /// #[erl_driver(name = "gpio_drv")]
    /// impl Driver for Gpio {
    ///     fn init() -> Result<(), InitError> {
    ///         if !std::path::Path::new("/sys/class/gpio").exists() {
    ///             return Err(InitError::new("no /sys/class/gpio on this machine"));
    ///         }
    ///         Ok(())
    ///     }
    ///
    ///     fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
    ///         Ok(Gpio)
    ///     }
    /// }
    /// ```
    fn init() -> Result<(), InitError> {
        Ok(())
    }

    /// Called once when the driver is unloaded, after the last port has closed (and after
    /// every pending `stop_select`): on a
    /// scheduler thread, with no port, while the VM holds its lock on the list of drivers
    /// (`erl_ddll` calls, `erl_ddll:loaded_drivers/0` included, wait until it returns).
    /// Release driver-wide resources here.
    ///
    /// When it returns, the VM unmaps the library: no thread may run the driver's code any
    /// more. After this method, the framework shuts down the async runtime of the `tokio`
    /// feature (see `erldrv::runtime`) and the [worker pool](crate::pool), joining their
    /// threads within [`UNLOAD_WAIT`](crate::pool::UNLOAD_WAIT), drops the descriptors of
    /// [`Port::select_owned`] the VM never released, then stops and joins every thread
    /// started with [`thread::spawn`](crate::thread::spawn), and waits for as long as one
    /// does not stop.
    /// Threads started otherwise are the driver's to stop and join here: keep each
    /// `std::thread::JoinHandle`, with a way to tell the thread to stop, in a `static`, and
    /// in `finish` take them out, signal the thread and join it (the
    /// [`thread`](crate::thread) module shows the pattern). Take rather than borrow: a
    /// library loaded again may keep its statics (glibc keeps a library mapped once its
    /// code has used thread-local storage with a destructor, as every Rust thread does),
    /// so `finish` must leave them as `init` expects to find them.
    fn finish() {}

    /// Called by `erlang:open_port({spawn_driver, Command}, Opts)` to open a port; returns the
    /// port's state. `command` is the whole command string (driver name, then arguments).
    ///
    /// With `#[erl_driver(init_ack)]`, `open_port/2` waits until [`Port::init_ack`] is called
    /// (from here or a later callback).
    ///
    /// Refuse arguments with [`StartError::refused`] to tell the opener why: `open_port/2`
    /// raises `badarg`, the opener receives `{Port, {erldrv_start_error, Reason}}`, and
    /// `erldrv:open/2,3` raises `error({badarg, Reason})` (an Elixir caller would otherwise
    /// see only "invalid port name").
    fn start(port: &Port, command: &[u8]) -> Result<Self, StartError>;

    /// Called when the port closes (`port_close/1`, owner exit, [`Port::exit`], a panic, VM
    /// halt). Consumes the state. Left out, the state is simply dropped.
    ///
    /// Other threads keep the driver queue until this returns: then the framework takes it
    /// from their [`QueueHandle`](crate::QueueHandle)s (waiting for one that holds it), and
    /// their `lock` returns `None`.
    fn stop(self, port: &Port) {
        let _ = port;
    }

    /// Data sent with `port_command/2` or `Port ! {Owner, {command, Data}}`, flattened into
    /// one buffer. Left out (and without `outputv`), such data is ignored by the VM.
    ///
    /// `data` is lent for this call only: the VM has flattened the I/O list into a buffer of
    /// its own and reuses it. To keep the bytes (in the state, a job, another thread), copy
    /// them (`data.to_vec()`, [`Port::enqueue`]); to keep them without copying, write
    /// [`outputv`](Driver::outputv) instead.
    fn output(&mut self, port: &Port, data: &[u8]) {
        let _ = (port, data);
    }

    /// Data sent with `port_command/2`, as the VM's I/O vector: binaries are not copied.
    /// When written, it is called instead of `output`.
    ///
    /// The vector is lent for this call only, but the binaries in it can be kept by
    /// reference: [`Segment::binary`](crate::Segment::binary) takes a new reference on the
    /// binary a segment lives in (no copy), which a job or another thread may hold as long
    /// as it likes; [`Port::outputv`] sends the data on and the driver queue
    /// ([`QueueGuard::enqueue_binary`](crate::QueueGuard::enqueue_binary)) keeps it, both
    /// by reference. (The VM gathers list bytes and small binaries into a binary of its
    /// own and passes larger binaries as they are, so on OTP 25 every segment has one; a
    /// segment without one must be copied: [`Segment::bytes`](crate::Segment::bytes),
    /// [`IoVec::to_vec`].)
    fn outputv(&mut self, port: &Port, data: IoVec<'_>) {
        let _ = (port, data);
    }

    /// `erlang:port_control(Port, Command, Data)`: a synchronous request; whatever is written
    /// to `reply` is returned to the caller, as a list of bytes or a binary (see
    /// [`Port::set_control_binary`]). (A `#[command]` taking `&[u8]` and returning bytes is
    /// served here without writing `control`: see [`command`](crate::command).) `Err(Badarg)` raises `badarg`;
    /// `Err(Badarg::because("..."))` also sends the caller `{Port, {erldrv_badarg, Reason}}`
    /// first, which `erldrv:control/3` raises as `error({badarg, Reason})`. Left out,
    /// `port_control/3` raises `badarg`.
    ///
    /// `data` points into the caller's own term and is lent for this call only: copy it
    /// (`data.to_vec()`) before a job ([`Request::spawn`](crate::Request::spawn),
    /// [`spawn_async`](Driver::spawn_async)), a thread or the state keeps it. The same goes for `reply`, which is written into the VM's buffer for this call.
    fn control(
        &mut self,
        port: &Port,
        command: u32,
        data: &[u8],
        reply: &mut Reply<'_>,
    ) -> Result<(), Badarg> {
        let _ = (port, command, data, reply);
        Err(Badarg)
    }

    /// `erlang:port_call(Port, Command, Term)`: a synchronous request with typed arguments
    /// and a typed reply.
    ///
    /// For one method per command, with the numbers derived from the names, write
    /// `#[command]` methods instead ([`command`](crate::command)): their `call` is generated.
    ///
    /// `Term` is decoded as the type of `args` (any [`FromTerm`] type, which may borrow
    /// from the call's input) and the returned value is encoded back for the caller
    /// (any [`ToTerm`] type). Write the method with concrete types; `#[erl_driver]` derives
    /// [`CallArgs`](Driver::CallArgs) and [`CallReply`](Driver::CallReply) from them:
    ///
    /// ```ignore
    /// fn call(&mut self, port: &Port, command: u32, (name, n): (AtomName<'_>, i64))
    ///     -> Result<(&'static Atom, i64), CallError>
    /// ```
    ///
    /// A type with a lifetime must show it, as `Term<'_>` rather than `Term`: the attribute
    /// copies the type into the associated type, where it cannot be left out.
    ///
    /// A reply that borrows from the arguments names their lifetime:
    /// `fn call<'a>(&mut self, port: &Port, command: u32, args: Term<'a>) -> Result<Term<'a>, CallError>`.
    ///
    /// # Errors the caller sees
    /// When `Term` does not decode as the argument type, or the method returns
    /// `Err(CallError)`, the caller gets `{erldrv_badarg, Message}` (`Message` a binary
    /// saying what was expected and where, such as `<<"port_call arguments: expected an
    /// integer, found a binary (element 2 of a tuple)">>`); `erldrv:call/3` turns that into
    /// `error({badarg, Message})`. The method is not called then. A panic raises `badarg`
    /// and closes the port, as in any callback. Left out, `port_call/3` raises `badarg`.
    ///
    /// # Keeping the arguments
    /// The arguments are decoded from the VM's buffer holding `term_to_binary(Term)`, which
    /// is lent for this call only: a binary or string decoded as `&[u8]` or `&str` points
    /// into it (hence the lifetime `'a`). Convert to owned values (`Vec<u8>`, `String`, or
    /// take owned types as the argument type) before a job
    /// ([`Request::spawn`](crate::Request::spawn), [`spawn_async`](Driver::spawn_async)), a
    /// thread or the state keeps them; the types do not let a borrow escape.
    fn call<'a>(
        &mut self,
        port: &Port<'a>,
        command: u32,
        args: Self::CallArgs<'a>,
    ) -> Result<Self::CallReply<'a>, CallError> {
        let _ = (port, command, args);
        Err(CallError::badarg(
            "this driver does not implement port_call",
        ))
    }

    /// The result of a job started with [`spawn_async`](Driver::spawn_async), on a
    /// scheduler thread: `Ok` with what the job returned, or `Err` when it panicked (the
    /// port stays open; the panic was written to standard error). Left out, the entry has no
    /// `ready_async`, and the VM frees each finished job, dropping its result or panic.
    fn ready_async(&mut self, port: &Port, result: Result<Self::Async, JobPanic>) {
        let _ = (port, result);
    }

    /// Starts `work` on the VM's async thread pool (`driver_async`); its result is handed
    /// to [`ready_async`](Driver::ready_async) of this port, on a scheduler thread, with the
    /// port's state: the way for jobs whose result changes the state. Call it on the port's
    /// state, `self.spawn_async(port, || ...)`: the job's type is the driver's `Async`,
    /// checked by the compiler. Not a callback: `#[erl_driver]` refuses a block that
    /// defines it.
    ///
    /// Jobs of one port run one at a time, in the order they were started (they share the
    /// port's key), on `+A` threads (one by default): for work that should use every core,
    /// or that answers a caller without the state, use the driver's own worker pool
    /// ([`Port::request`], [`Port::spawn_job`]).
    ///
    /// The job is submitted when the current callback returns. A panic in `work` reaches
    /// `ready_async` as `Err(JobPanic)`; the port stays open. If the port closes first, a
    /// job that has not started never starts, and a result is dropped; a running job can
    /// watch [`Port::cancel_token`].
    ///
    /// Async threads have small stacks (the `+a` emulator flag sets them, default 128 KiB on
    /// 64-bit): keep large buffers on the heap.
    ///
    /// Async threads belong to the VM and outlive the driver: a thread-local with a
    /// destructor that a job creates (`std::thread::current()` makes one) registers code of
    /// the driver's library to run when the thread exits, which happens when the VM halts,
    /// after the driver may have been unloaded. Keep jobs free of such thread-locals.
    fn spawn_async(&self, port: &Port, work: impl FnOnce() -> Self::Async + Send + 'static) {
        let sub = jobs::submission(
            TypeId::of::<Self>(),
            Cancel::new(port.life(), None),
            Box::new(work),
        );
        port.meta().defer(Deferred::Async(sub));
    }

    /// A descriptor selected with [`SelectMode::READ`](crate::SelectMode::READ) is readable:
    /// find which with [`Event::is`]. Can be spurious (another read got the data first, or
    /// the VM saw a readiness that is gone): read from a non-blocking descriptor and return
    /// on [`WouldBlock`](std::io::ErrorKind::WouldBlock). The VM calls it again while the
    /// descriptor stays readable and selected.
    fn ready_input(&mut self, port: &Port, event: Event) {
        let _ = (port, event);
    }

    /// A descriptor selected with [`SelectMode::WRITE`](crate::SelectMode::WRITE) is
    /// writable: find which with [`Event::is`]. Can be spurious: return on
    /// [`WouldBlock`](std::io::ErrorKind::WouldBlock). Turn `WRITE` off once there is
    /// nothing left to write, or the VM keeps calling.
    fn ready_output(&mut self, port: &Port, event: Event) {
        let _ = (port, event);
    }

    /// The timer set with [`Port::set_timer`] has expired.
    ///
    /// The framework also uses the port timer itself, for actions requested in `start` and to
    /// close a port from `process_exit`; those expirations never reach this method, and a
    /// timer you set meanwhile starts once the framework is done with it.
    fn timeout(&mut self, port: &Port) {
        let _ = port;
    }

    /// The port is closing while its driver queue is not empty: write out or
    /// [`dequeue`](Port::dequeue) the data; `stop` follows once the queue is empty.
    fn flush(&mut self, port: &Port) {
        let _ = port;
    }

    /// A process monitored with [`Port::monitor_process`] has exited. `monitor` is the
    /// monitor that fired: forget your copy of it (compare with `==`). It is gone from the
    /// VM already; [`Port::demonitor_process`] on it returns
    /// [`Err(NoMonitor)`](crate::DemonitorError::NoMonitor) and is not needed.
    /// Monitors still in place when the port closes are removed by the VM with the port.
    fn process_exit(&mut self, port: &Port, monitor: Monitor) {
        let _ = (port, monitor);
    }

    /// The VM is done with the descriptor `event` (after [`Port::select`] turned
    /// [`SelectMode::USE`](crate::SelectMode::USE) off, or after the framework did so for a
    /// closing port): it is now safe to close. Runs from inside that `select` call, or later
    /// on another thread, with no port and no lock guaranteed — the port may already be gone
    /// — so it gets no port handle and must not use the driver API.
    ///
    /// A descriptor of [`Port::select_owned`] needs nothing here: the framework drops its
    /// reference right after this method returns. Write it for descriptors you selected with
    /// `USE` through [`Port::select`] and keep open yourself (in a shared map, say) until now.
    fn stop_select(event: Event) {
        let _ = event;
    }
}

/// Implemented by `#[erl_driver]`: the facts the runtime needs beyond the trait. Not a
/// subtrait of [`Driver`], so that a failing `impl Driver` is reported only once.
pub trait DriverEntry {
    /// The driver name, as given to `erl_ddll:load_driver/2` and `open_port/2`.
    const NAME: &'static core::ffi::CStr;
    /// `#[erl_driver(workers = N)]`: the worker pool's size; 0 for the default (see
    /// [`pool`](crate::pool)).
    const WORKERS: usize = 0;
    /// `#[erl_driver(queue = N)]`: the pool queue's bound; 0 for the default.
    const QUEUE: usize = 0;
    /// Whether the entry has `process_exit` (written, or `watch_callers`).
    const PROCESS_EXIT: bool = true;

    /// The driver's entry, as `driver_init` hands it to the VM.
    fn entry() -> *mut erldrv_sys::ErlDrvEntry;

    /// The block's `#[command]` methods ([`crate::command`]), in the order written.
    const COMMANDS: &'static [CommandInfo] = &[];
    /// Whether some command is sync: the `call` slot runs [`sync_command`](Self::sync_command)
    /// instead of [`Driver::call`].
    const SYNC_COMMANDS: bool = false;
    /// Whether some command is a bytes command: `control` runs
    /// [`bytes_command`](Self::bytes_command) first, in binary mode.
    const BYTES_COMMANDS: bool = false;

    /// Runs sync command `id` with the arguments tuple in `args`, writing its result to
    /// `out`. `Err`: the arguments were refused, or there is no such command.
    fn sync_command<'a, W: crate::command::SyncOut + ?Sized>(
        &mut self,
        port: &Port<'_>,
        id: u32,
        args: &mut Decoder<'a>,
        out: &mut W,
    ) -> Result<(), CallError> {
        let _ = (port, args, out);
        Err(crate::command::unknown(id))
    }

    /// Runs bytes command `id` on `data`, writing its result to `reply`; `false` if there is
    /// no such command.
    fn bytes_command(
        &mut self,
        port: &Port<'_>,
        id: u32,
        data: &[u8],
        reply: &mut Reply<'_>,
    ) -> bool {
        let _ = (port, id, data, reply);
        false
    }

    /// Starts async command `id` for the request this `control` call carries, with the
    /// arguments in `data`; `None` if there is no such command.
    fn async_command(port: &Port<'_>, id: u32, data: &[u8]) -> Option<Result<(), Badarg>> {
        let _ = (port, id, data);
        None
    }
}
