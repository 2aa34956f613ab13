//! Items of `erl_driver.h`, driver version 3.3.
//!
//! Thread safety: the man page states that a function not documented as
//! thread-safe may only be called from a driver callback, or from code
//! called by a driver callback, on the thread that runs it. The per-item
//! docs below repeat what the man page says for each function.

use core::ffi::{c_char, c_int, c_long, c_uint, c_ulong, c_void};
use core::marker::{PhantomData, PhantomPinned};

use crate::erl_drv_nif::{
    ERL_NIF_SELECT_READ, ERL_NIF_SELECT_STOP, ERL_NIF_SELECT_WRITE, ErlDrvMonitor, ErlDrvSysInfo,
    ErlDrvThreadOpts, ErlNapiSInt, ErlNapiSInt64, ErlNapiUInt, ErlNapiUInt64, SysIOVec,
};

/// Declares a type that only exists behind pointers handed out by the
/// runtime: zero-sized, unconstructible outside this crate, `!Send`,
/// `!Sync` and `!Unpin`.
macro_rules! opaque {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[repr(C)]
        pub struct $name {
            _private: [u8; 0],
            _marker: PhantomData<(*mut u8, PhantomPinned)>,
        }
    };
}

// ---------------------------------------------------------------------------
// Select modes
// ---------------------------------------------------------------------------

/// [`driver_select`] mode bit: wait for the event to become readable.
pub const ERL_DRV_READ: c_int = ERL_NIF_SELECT_READ;
/// [`driver_select`] mode bit: wait for the event to become writable.
pub const ERL_DRV_WRITE: c_int = ERL_NIF_SELECT_WRITE;
/// [`driver_select`] mode bit: the event object is in use (with `on == 0`:
/// release it through the `stop_select` callback).
pub const ERL_DRV_USE: c_int = ERL_NIF_SELECT_STOP;
/// Like [`ERL_DRV_USE`], but without calling `stop_select` on release.
pub const ERL_DRV_USE_NO_CALLBACK: c_int = ERL_DRV_USE | (ERL_DRV_USE << 1);
/// Old name of [`ERL_DRV_READ`].
#[deprecated(note = "use ERL_DRV_READ")]
pub const DO_READ: c_int = ERL_DRV_READ;
/// Old name of [`ERL_DRV_WRITE`].
#[deprecated(note = "use ERL_DRV_WRITE")]
pub const DO_WRITE: c_int = ERL_DRV_WRITE;

// ---------------------------------------------------------------------------
// Version management
// ---------------------------------------------------------------------------

/// Value for [`ErlDrvEntry::extended_marker`] (C: `0xfeeeeeed`, an
/// `unsigned int` stored in an `int` field; here already reinterpreted).
pub const ERL_DRV_EXTENDED_MARKER: c_int = 0xfeee_eeed_u32 as c_int;
/// Driver API major version these bindings describe.
pub const ERL_DRV_EXTENDED_MAJOR_VERSION: c_int = 3;
/// Driver API minor version these bindings describe.
pub const ERL_DRV_EXTENDED_MINOR_VERSION: c_int = 3;
/// Lowest driver major version the runtime still agrees to load.
pub const ERL_DRV_MIN_REQUIRED_MAJOR_VERSION_ON_LOAD: c_int = 2;

// ---------------------------------------------------------------------------
// Port flags
// ---------------------------------------------------------------------------

/// [`set_port_control_flags`]: `control` results are returned as binaries.
pub const PORT_CONTROL_FLAG_BINARY: c_int = 1 << 0;
/// [`set_port_control_flags`]: "heavy" flag (not described in the man
/// page).
pub const PORT_CONTROL_FLAG_HEAVY: c_int = 1 << 1;
/// [`get_port_flags`]: the port was opened in binary mode.
pub const PORT_FLAG_BINARY: c_int = 1 << 0;
/// [`get_port_flags`]: the port was opened in line mode.
pub const PORT_FLAG_LINE: c_int = 1 << 1;

/// [`ErlDrvEntry::driver_flags`]: use port-level instead of driver-level
/// locking.
pub const ERL_DRV_FLAG_USE_PORT_LOCKING: c_int = 1 << 0;
/// [`ErlDrvEntry::driver_flags`]: `output`/`outputv` may be called while
/// the port is busy.
pub const ERL_DRV_FLAG_SOFT_BUSY: c_int = 1 << 1;
/// [`ErlDrvEntry::driver_flags`]: disable the busy port message queue.
pub const ERL_DRV_FLAG_NO_BUSY_MSGQ: c_int = 1 << 2;
/// [`ErlDrvEntry::driver_flags`]: the driver acknowledges start-up itself
/// with [`erl_drv_init_ack`].
pub const ERL_DRV_FLAG_USE_INIT_ACK: c_int = 1 << 3;

// ---------------------------------------------------------------------------
// Integer types
// ---------------------------------------------------------------------------

/// Unsigned 64-bit integer.
pub type ErlDrvUInt64 = ErlNapiUInt64;
/// Signed 64-bit integer.
pub type ErlDrvSInt64 = ErlNapiSInt64;
/// Unsigned pointer-sized integer.
pub type ErlDrvUInt = ErlNapiUInt;
/// Signed pointer-sized integer.
pub type ErlDrvSInt = ErlNapiSInt;
/// One word of a driver term specification (see [`erl_drv_output_term`]).
pub type ErlDrvTermData = ErlNapiUInt;
/// Unsigned size type (C `size_t` on Unix).
pub type ErlDrvSizeT = usize;
/// Signed size type (C `ssize_t` on Unix).
pub type ErlDrvSSizeT = isize;

// ---------------------------------------------------------------------------
// Binaries, handles and time
// ---------------------------------------------------------------------------

/// Header of a reference-counted driver binary (C `struct erl_drv_binary`).
///
/// The data continues past the declared one-byte `orig_bytes` array; only
/// handle it through pointers obtained from [`driver_alloc_binary`] or the
/// runtime.
#[repr(C)]
#[derive(Debug)]
pub struct ErlDrvBinary {
    /// Length of the data in bytes.
    pub orig_size: ErlDrvSInt,
    /// First byte of the data (suitably aligned for `double`s).
    pub orig_bytes: [c_char; 1],
}

opaque!(
    /// Target of [`ErlDrvData`] (C `struct _erl_drv_data`).
    _erl_drv_data
);
opaque!(
    /// Target of [`ErlDrvEvent`] (C `struct _erl_drv_event`).
    _erl_drv_event
);
opaque!(
    /// Target of [`ErlDrvPort`] and [`ErlDrvThreadData`] (C
    /// `struct _erl_drv_port`).
    _erl_drv_port
);

/// Driver-defined per-port data, returned by `start` and passed to the
/// other callbacks; usually a cast pointer.
pub type ErlDrvData = *mut _erl_drv_data;
/// An OS event object for [`driver_select`]; on Unix a file descriptor
/// cast to a pointer.
pub type ErlDrvEvent = *mut _erl_drv_event;
/// Handle of a port (driver instance).
pub type ErlDrvPort = *mut _erl_drv_port;
/// Data passed to `ready_async`. The header declares it with the same
/// pointee as [`ErlDrvPort`].
pub type ErlDrvThreadData = *mut _erl_drv_port;

/// Time stamp read by the deprecated [`driver_get_now`].
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ErlDrvNowData {
    /// Whole megaseconds since an arbitrary point in the past.
    pub megasecs: c_ulong,
    /// Whole seconds within the current megasecond.
    pub secs: c_ulong,
    /// Whole microseconds within the current second.
    pub microsecs: c_ulong,
}

/// Signed 64-bit time value.
pub type ErlDrvTime = ErlDrvSInt64;
/// Returned by the time functions on error (`i64::MIN`).
pub const ERL_DRV_TIME_ERROR: ErlDrvSInt64 = i64::MIN;

/// Time unit (C `typedef enum ErlDrvTimeUnit`, an `int`-sized enum).
pub type ErlDrvTimeUnit = c_int;
/// Seconds.
pub const ERL_DRV_SEC: ErlDrvTimeUnit = 0;
/// Milliseconds.
pub const ERL_DRV_MSEC: ErlDrvTimeUnit = 1;
/// Microseconds.
pub const ERL_DRV_USEC: ErlDrvTimeUnit = 2;
/// Nanoseconds.
pub const ERL_DRV_NSEC: ErlDrvTimeUnit = 3;

/// `start` error result: `open_port/2` fails with `einval`.
pub const ERL_DRV_ERROR_GENERAL: ErlDrvData = -1isize as ErlDrvData;
/// `start` error result: `open_port/2` fails with the atom for `errno`.
pub const ERL_DRV_ERROR_ERRNO: ErlDrvData = -2isize as ErlDrvData;
/// `start` error result: `open_port/2` fails with `badarg`.
pub const ERL_DRV_ERROR_BADARG: ErlDrvData = -3isize as ErlDrvData;

/// An I/O vector with the binaries that back it (C `struct erl_io_vec`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ErlIOVec {
    /// Number of elements in `iov` and `binv`.
    pub vsize: c_int,
    /// Total size of the data in bytes.
    pub size: ErlDrvSizeT,
    /// The data segments.
    pub iov: *mut SysIOVec,
    /// The binary backing each segment (entries may be null).
    pub binv: *mut *mut ErlDrvBinary,
}

// ---------------------------------------------------------------------------
// Thread types
// ---------------------------------------------------------------------------

opaque!(
    /// Target of [`ErlDrvTid`] (C `struct ErlDrvTid_`).
    ErlDrvTid_
);
opaque!(
    /// Mutex created by [`erl_drv_mutex_create`] (C `struct ErlDrvMutex_`).
    ErlDrvMutex_
);
opaque!(
    /// Condition variable created by [`erl_drv_cond_create`] (C
    /// `struct ErlDrvCond_`).
    ErlDrvCond_
);
opaque!(
    /// Read/write lock created by [`erl_drv_rwlock_create`] (C
    /// `struct ErlDrvRWLock_`).
    ErlDrvRWLock_
);
opaque!(
    /// Target of [`ErlDrvPDL`] (C `struct erl_drv_port_data_lock`).
    erl_drv_port_data_lock
);

/// Thread identifier.
pub type ErlDrvTid = *mut ErlDrvTid_;
/// Mutex; only used behind pointers.
pub type ErlDrvMutex = ErlDrvMutex_;
/// Condition variable; only used behind pointers.
pub type ErlDrvCond = ErlDrvCond_;
/// Read/write lock; only used behind pointers.
pub type ErlDrvRWLock = ErlDrvRWLock_;
/// Key for thread-specific data.
pub type ErlDrvTSDKey = c_int;
/// Port data lock, guarding the driver queue of one port.
pub type ErlDrvPDL = *mut erl_drv_port_data_lock;

// ---------------------------------------------------------------------------
// Driver entry
// ---------------------------------------------------------------------------

/// The driver description returned by the driver's `driver_init` function
/// (C `struct erl_drv_entry`).
///
/// Must stay writable: the runtime writes `handle` and `handle2`. Fields
/// from `extended_marker` on are only read when `extended_marker` equals
/// [`ERL_DRV_EXTENDED_MARKER`]; `man 3erl driver_entry` describes each
/// callback.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ErlDrvEntry {
    /// Called once after loading; returns 0 on success, -1 on failure.
    pub init: Option<unsafe extern "C" fn() -> c_int>,
    /// Called by `open_port/2`; returns the port's data or an
    /// `ERL_DRV_ERROR_*` value.
    pub start: Option<unsafe extern "C" fn(port: ErlDrvPort, command: *mut c_char) -> ErlDrvData>,
    /// Called when the port closes.
    pub stop: Option<unsafe extern "C" fn(drv_data: ErlDrvData)>,
    /// Called with data sent to the port (unless `outputv` is set).
    pub output:
        Option<unsafe extern "C" fn(drv_data: ErlDrvData, buf: *mut c_char, len: ErlDrvSizeT)>,
    /// Called when a selected event is readable.
    pub ready_input: Option<unsafe extern "C" fn(drv_data: ErlDrvData, event: ErlDrvEvent)>,
    /// Called when a selected event is writable.
    pub ready_output: Option<unsafe extern "C" fn(drv_data: ErlDrvData, event: ErlDrvEvent)>,
    /// NUL-terminated driver name, as used in `open_port/2`.
    pub driver_name: *mut c_char,
    /// Called before a dynamically loaded driver is unloaded.
    pub finish: Option<unsafe extern "C" fn()>,
    /// Reserved for the runtime.
    pub handle: *mut c_void,
    /// Called by `port_control/3`; returns the number of bytes in `*rbuf`.
    pub control: Option<
        unsafe extern "C" fn(
            drv_data: ErlDrvData,
            command: c_uint,
            buf: *mut c_char,
            len: ErlDrvSizeT,
            rbuf: *mut *mut c_char,
            rlen: ErlDrvSizeT,
        ) -> ErlDrvSSizeT,
    >,
    /// Called when the timer set with [`driver_set_timer`] expires.
    pub timeout: Option<unsafe extern "C" fn(drv_data: ErlDrvData)>,
    /// Called with data sent to the port, as an I/O vector.
    pub outputv: Option<unsafe extern "C" fn(drv_data: ErlDrvData, ev: *mut ErlIOVec)>,
    /// Called after a job started with [`driver_async`] completed.
    pub ready_async:
        Option<unsafe extern "C" fn(drv_data: ErlDrvData, thread_data: ErlDrvThreadData)>,
    /// Called before `stop` while the driver queue still holds data.
    pub flush: Option<unsafe extern "C" fn(drv_data: ErlDrvData)>,
    /// Called by `port_call/3`; data is in the external term format.
    pub call: Option<
        unsafe extern "C" fn(
            drv_data: ErlDrvData,
            command: c_uint,
            buf: *mut c_char,
            len: ErlDrvSizeT,
            rbuf: *mut *mut c_char,
            rlen: ErlDrvSizeT,
            flags: *mut c_uint,
        ) -> ErlDrvSSizeT,
    >,
    /// Unused; set to `None`.
    pub unused_event_callback: Option<unsafe extern "C" fn()>,
    /// [`ERL_DRV_EXTENDED_MARKER`].
    pub extended_marker: c_int,
    /// [`ERL_DRV_EXTENDED_MAJOR_VERSION`].
    pub major_version: c_int,
    /// [`ERL_DRV_EXTENDED_MINOR_VERSION`].
    pub minor_version: c_int,
    /// Bitwise OR of `ERL_DRV_FLAG_*` values.
    pub driver_flags: c_int,
    /// Reserved for the runtime.
    pub handle2: *mut c_void,
    /// Called when a process monitored with [`driver_monitor_process`]
    /// exits.
    pub process_exit:
        Option<unsafe extern "C" fn(drv_data: ErlDrvData, monitor: *mut ErlDrvMonitor)>,
    /// Called when it is safe to close an event released with
    /// [`driver_select`]; must not call any driver API function.
    pub stop_select: Option<unsafe extern "C" fn(event: ErlDrvEvent, reserved: *mut c_void)>,
    /// Called when the port is closed abruptly (e.g. on a crash dump).
    pub emergency_close: Option<unsafe extern "C" fn(drv_data: ErlDrvData)>,
}

// ---------------------------------------------------------------------------
// Busy message queue limits
// ---------------------------------------------------------------------------

/// [`erl_drv_busy_msgq_limits`]: disables the busy message queue.
pub const ERL_DRV_BUSY_MSGQ_DISABLED: ErlDrvSizeT = !0;
/// [`erl_drv_busy_msgq_limits`]: only read the current limit.
pub const ERL_DRV_BUSY_MSGQ_READ_ONLY: ErlDrvSizeT = 0;
/// [`erl_drv_busy_msgq_limits`]: largest valid limit.
pub const ERL_DRV_BUSY_MSGQ_LIM_MAX: ErlDrvSizeT = ERL_DRV_BUSY_MSGQ_DISABLED - 1;
/// [`erl_drv_busy_msgq_limits`]: smallest valid limit.
pub const ERL_DRV_BUSY_MSGQ_LIM_MIN: ErlDrvSizeT = 1;

/// `call` callback result flag: the runtime must not free `*rbuf`.
pub const DRIVER_CALL_KEEP_BUFFER: c_uint = 0x1;

// ---------------------------------------------------------------------------
// Driver term format
// ---------------------------------------------------------------------------

/// Term spec: `[]`; no arguments.
pub const ERL_DRV_NIL: ErlDrvTermData = 1;
/// Term spec: an atom; argument from [`driver_mk_atom`].
pub const ERL_DRV_ATOM: ErlDrvTermData = 2;
/// Term spec: an integer; argument is an [`ErlDrvSInt`].
pub const ERL_DRV_INT: ErlDrvTermData = 3;
/// Term spec: a port; argument from [`driver_mk_port`].
pub const ERL_DRV_PORT: ErlDrvTermData = 4;
/// Term spec: a binary; arguments `*mut ErlDrvBinary`, length, offset.
pub const ERL_DRV_BINARY: ErlDrvTermData = 5;
/// Term spec: a string (list); arguments `*mut c_char`, length.
pub const ERL_DRV_STRING: ErlDrvTermData = 6;
/// Term spec: a tuple of the preceding terms; argument is the arity.
pub const ERL_DRV_TUPLE: ErlDrvTermData = 7;
/// Term spec: a list of the preceding terms (tail included); argument is
/// the number of elements.
pub const ERL_DRV_LIST: ErlDrvTermData = 8;
/// Term spec: characters spliced into the enclosing list; arguments
/// `*mut c_char`, length.
pub const ERL_DRV_STRING_CONS: ErlDrvTermData = 9;
/// Term spec: a pid; argument from [`driver_connected`] or
/// [`driver_caller`].
pub const ERL_DRV_PID: ErlDrvTermData = 10;
/// Term spec: a float; argument is a `*mut f64`.
pub const ERL_DRV_FLOAT: ErlDrvTermData = 11;
/// Term spec: a term in external format; arguments `*mut c_char`, length.
pub const ERL_DRV_EXT2TERM: ErlDrvTermData = 12;
/// Term spec: an unsigned integer; argument is an [`ErlDrvUInt`].
pub const ERL_DRV_UINT: ErlDrvTermData = 13;
/// Term spec: a binary copied from a buffer; arguments `*mut c_char`,
/// length.
pub const ERL_DRV_BUF2BINARY: ErlDrvTermData = 14;
/// Term spec: a 64-bit integer; argument is a `*mut ErlDrvSInt64`.
pub const ERL_DRV_INT64: ErlDrvTermData = 15;
/// Term spec: an unsigned 64-bit integer; argument is a
/// `*mut ErlDrvUInt64`.
pub const ERL_DRV_UINT64: ErlDrvTermData = 16;
/// Term spec: a map of the preceding key/value terms; argument is the
/// number of pairs.
pub const ERL_DRV_MAP: ErlDrvTermData = 17;

// ---------------------------------------------------------------------------
// Functions
// ---------------------------------------------------------------------------

unsafe extern "C" {
    /// Reads and/or sets the busy message queue limits of `port`.
    pub fn erl_drv_busy_msgq_limits(
        port: ErlDrvPort,
        low: *mut ErlDrvSizeT,
        high: *mut ErlDrvSizeT,
    );

    /// Starts or stops selecting on `event` for the `ERL_DRV_*` bits in
    /// `mode`.
    pub fn driver_select(port: ErlDrvPort, event: ErlDrvEvent, mode: c_int, on: c_int) -> c_int;

    /// Sends `len` bytes from `buf` to the port owner. Not thread-safe:
    /// call it only from a driver callback's thread.
    pub fn driver_output(port: ErlDrvPort, buf: *mut c_char, len: ErlDrvSizeT) -> c_int;
    /// Sends a header (always as a list) followed by data to the port owner.
    pub fn driver_output2(
        port: ErlDrvPort,
        hbuf: *mut c_char,
        hlen: ErlDrvSizeT,
        buf: *mut c_char,
        len: ErlDrvSizeT,
    ) -> c_int;
    /// Sends a header followed by part of a driver binary to the port owner.
    pub fn driver_output_binary(
        port: ErlDrvPort,
        hbuf: *mut c_char,
        hlen: ErlDrvSizeT,
        bin: *mut ErlDrvBinary,
        offset: ErlDrvSizeT,
        len: ErlDrvSizeT,
    ) -> c_int;
    /// Sends a header followed by an I/O vector (minus `skip` bytes) to the
    /// port owner.
    pub fn driver_outputv(
        port: ErlDrvPort,
        hbuf: *mut c_char,
        hlen: ErlDrvSizeT,
        ev: *mut ErlIOVec,
        skip: ErlDrvSizeT,
    ) -> c_int;
    /// Copies up to `len` bytes of `ev` into `buf`; returns the space left.
    pub fn driver_vec_to_buf(ev: *mut ErlIOVec, buf: *mut c_char, len: ErlDrvSizeT) -> ErlDrvSizeT;
    /// Sets the port's timer to `time` milliseconds.
    pub fn driver_set_timer(port: ErlDrvPort, time: c_ulong) -> c_int;
    /// Cancels the port's timer.
    pub fn driver_cancel_timer(port: ErlDrvPort) -> c_int;
    /// Stores the milliseconds left on the port's timer in `*time_left`.
    pub fn driver_read_timer(port: ErlDrvPort, time_left: *mut c_ulong) -> c_int;

    /// Reports the share of a time slice (1..=100 percent) consumed by the
    /// current callback; non-zero means the callback should return soon.
    pub fn erl_drv_consume_timeslice(port: ErlDrvPort, percent: c_int) -> c_int;

    /// Returns the error atom name (such as `"enoent"`) for an `errno`
    /// value.
    pub fn erl_errno_id(error: c_int) -> *mut c_char;

    /// Signals end of file: closes the port unless it was opened with `eof`.
    pub fn driver_failure_eof(port: ErlDrvPort) -> c_int;
    /// Closes the port with the error atom named by `string`.
    pub fn driver_failure_atom(port: ErlDrvPort, string: *mut c_char) -> c_int;
    /// Closes the port with the error atom for `errno` value `error`.
    pub fn driver_failure_posix(port: ErlDrvPort, error: c_int) -> c_int;
    /// Closes the port with integer error `error`.
    pub fn driver_failure(port: ErlDrvPort, error: c_int) -> c_int;
    /// Closes the port with exit reason derived from `err` (0 means
    /// `normal`).
    pub fn driver_exit(port: ErlDrvPort, err: c_int) -> c_int;

    /// Creates the port data lock of `port`; null on failure.
    pub fn driver_pdl_create(port: ErlDrvPort) -> ErlDrvPDL;
    /// Locks a port data lock. Thread-safe.
    pub fn driver_pdl_lock(pdl: ErlDrvPDL);
    /// Unlocks a port data lock. Thread-safe.
    pub fn driver_pdl_unlock(pdl: ErlDrvPDL);
    /// Returns the reference count of a port data lock. Thread-safe.
    pub fn driver_pdl_get_refc(pdl: ErlDrvPDL) -> ErlDrvSInt;
    /// Increments the reference count of a port data lock. Thread-safe.
    pub fn driver_pdl_inc_refc(pdl: ErlDrvPDL) -> ErlDrvSInt;
    /// Decrements the reference count of a port data lock. Thread-safe.
    pub fn driver_pdl_dec_refc(pdl: ErlDrvPDL) -> ErlDrvSInt;

    /// Monitors `process`; the `process_exit` callback fires when it exits.
    pub fn driver_monitor_process(
        port: ErlDrvPort,
        process: ErlDrvTermData,
        monitor: *mut ErlDrvMonitor,
    ) -> c_int;
    /// Removes a monitor created by [`driver_monitor_process`].
    pub fn driver_demonitor_process(port: ErlDrvPort, monitor: *const ErlDrvMonitor) -> c_int;
    /// Returns the pid of a live monitor, or [`driver_term_nil`].
    pub fn driver_get_monitored_process(
        port: ErlDrvPort,
        monitor: *const ErlDrvMonitor,
    ) -> ErlDrvTermData;
    /// Orders two monitors like `memcmp`.
    pub fn driver_compare_monitors(
        monitor1: *const ErlDrvMonitor,
        monitor2: *const ErlDrvMonitor,
    ) -> c_int;

    /// Sets (`on != 0`) or clears the busy state of the port.
    pub fn set_busy_port(port: ErlDrvPort, on: c_int);
    /// Sets `PORT_CONTROL_FLAG_*` flags for `control` results.
    pub fn set_port_control_flags(port: ErlDrvPort, flags: c_int);
    /// Returns the `PORT_FLAG_*` flags the port was opened with.
    pub fn get_port_flags(port: ErlDrvPort) -> c_int;

    /// Releases a reference to a driver binary. Thread-safe.
    pub fn driver_free_binary(bin: *mut ErlDrvBinary);
    /// Allocates a driver binary of at least `size` bytes; null when out of
    /// memory. Thread-safe.
    pub fn driver_alloc_binary(size: ErlDrvSizeT) -> *mut ErlDrvBinary;
    /// Resizes a driver binary, keeping its data; null when out of memory.
    /// Thread-safe.
    pub fn driver_realloc_binary(bin: *mut ErlDrvBinary, size: ErlDrvSizeT) -> *mut ErlDrvBinary;

    /// Returns the reference count of a driver binary. Thread-safe.
    pub fn driver_binary_get_refc(dbp: *mut ErlDrvBinary) -> ErlDrvSInt;
    /// Increments the reference count of a driver binary. Thread-safe.
    pub fn driver_binary_inc_refc(dbp: *mut ErlDrvBinary) -> ErlDrvSInt;
    /// Decrements the reference count of a driver binary without freeing
    /// it. Thread-safe.
    pub fn driver_binary_dec_refc(dbp: *mut ErlDrvBinary) -> ErlDrvSInt;

    /// Frees memory from [`driver_alloc`]. Thread-safe.
    pub fn driver_free(ptr: *mut c_void);
    /// Allocates `size` bytes; null when out of memory. Thread-safe.
    pub fn driver_alloc(size: ErlDrvSizeT) -> *mut c_void;
    /// Resizes memory from [`driver_alloc`]; null when out of memory.
    /// Thread-safe.
    pub fn driver_realloc(ptr: *mut c_void, size: ErlDrvSizeT) -> *mut c_void;

    /// Appends a copy of `buf` to the driver queue. From any thread while
    /// holding the port data lock.
    pub fn driver_enq(port: ErlDrvPort, buf: *mut c_char, len: ErlDrvSizeT) -> c_int;
    /// Prepends a copy of `buf` to the driver queue. From any thread while
    /// holding the port data lock.
    pub fn driver_pushq(port: ErlDrvPort, buf: *mut c_char, len: ErlDrvSizeT) -> c_int;
    /// Drops `size` bytes from the head of the driver queue; returns the
    /// bytes left. From any thread while holding the port data lock.
    pub fn driver_deq(port: ErlDrvPort, size: ErlDrvSizeT) -> ErlDrvSizeT;
    /// Returns the number of bytes in the driver queue. From any thread
    /// while holding the port data lock.
    pub fn driver_sizeq(port: ErlDrvPort) -> ErlDrvSizeT;
    /// Appends part of a driver binary to the driver queue without copying.
    /// From any thread while holding the port data lock.
    pub fn driver_enq_bin(
        port: ErlDrvPort,
        bin: *mut ErlDrvBinary,
        offset: ErlDrvSizeT,
        len: ErlDrvSizeT,
    ) -> c_int;
    /// Prepends part of a driver binary to the driver queue without
    /// copying. From any thread while holding the port data lock.
    pub fn driver_pushq_bin(
        port: ErlDrvPort,
        bin: *mut ErlDrvBinary,
        offset: ErlDrvSizeT,
        len: ErlDrvSizeT,
    ) -> c_int;

    /// Fills `ev` with the driver queue and returns its size. From any
    /// thread while holding the port data lock.
    pub fn driver_peekqv(port: ErlDrvPort, ev: *mut ErlIOVec) -> ErlDrvSizeT;
    /// Returns the driver queue as an array of `*vlen` segments. From any
    /// thread while holding the port data lock.
    pub fn driver_peekq(port: ErlDrvPort, vlen: *mut c_int) -> *mut SysIOVec;
    /// Appends an I/O vector (minus `skip` bytes) to the driver queue. From
    /// any thread while holding the port data lock.
    pub fn driver_enqv(port: ErlDrvPort, ev: *mut ErlIOVec, skip: ErlDrvSizeT) -> c_int;
    /// Prepends an I/O vector (minus `skip` bytes) to the driver queue.
    /// From any thread while holding the port data lock.
    pub fn driver_pushqv(port: ErlDrvPort, ev: *mut ErlIOVec, skip: ErlDrvSizeT) -> c_int;

    /// Registers another driver entry and calls its `init`.
    pub fn add_driver_entry(de: *mut ErlDrvEntry);
    /// Unregisters a driver entry added with [`add_driver_entry`].
    pub fn remove_driver_entry(de: *mut ErlDrvEntry) -> c_int;

    /// Fills `*sip`; pass `size_of::<ErlDrvSysInfo>()` as `si_size`.
    pub fn driver_system_info(sip: *mut ErlDrvSysInfo, si_size: usize);

    /// Destroys an unlocked mutex. Thread-safe.
    pub fn erl_drv_mutex_destroy(mtx: *mut ErlDrvMutex);
    /// Creates a mutex; null on failure. Thread-safe.
    pub fn erl_drv_mutex_create(name: *mut c_char) -> *mut ErlDrvMutex;
    /// Tries to lock a mutex; 0 on success, `EBUSY` otherwise. Thread-safe.
    pub fn erl_drv_mutex_trylock(mtx: *mut ErlDrvMutex) -> c_int;
    /// Locks a mutex. Thread-safe.
    pub fn erl_drv_mutex_lock(mtx: *mut ErlDrvMutex);
    /// Unlocks a mutex held by the calling thread. Thread-safe.
    pub fn erl_drv_mutex_unlock(mtx: *mut ErlDrvMutex);
    /// Destroys a condition variable. Thread-safe.
    pub fn erl_drv_cond_destroy(cnd: *mut ErlDrvCond);
    /// Creates a condition variable; null on failure. Thread-safe.
    pub fn erl_drv_cond_create(name: *mut c_char) -> *mut ErlDrvCond;
    /// Wakes one waiter of a condition variable. Thread-safe.
    pub fn erl_drv_cond_signal(cnd: *mut ErlDrvCond);
    /// Wakes all waiters of a condition variable. Thread-safe.
    pub fn erl_drv_cond_broadcast(cnd: *mut ErlDrvCond);
    /// Waits on a condition variable, releasing `mtx` meanwhile; may wake
    /// spuriously. Thread-safe.
    pub fn erl_drv_cond_wait(cnd: *mut ErlDrvCond, mtx: *mut ErlDrvMutex);
    /// Destroys an unlocked read/write lock. Thread-safe.
    pub fn erl_drv_rwlock_destroy(rwlck: *mut ErlDrvRWLock);
    /// Creates a read/write lock; null on failure. Thread-safe.
    pub fn erl_drv_rwlock_create(name: *mut c_char) -> *mut ErlDrvRWLock;
    /// Tries to read-lock; 0 on success, `EBUSY` otherwise. Thread-safe.
    pub fn erl_drv_rwlock_tryrlock(rwlck: *mut ErlDrvRWLock) -> c_int;
    /// Read-locks a read/write lock. Thread-safe.
    pub fn erl_drv_rwlock_rlock(rwlck: *mut ErlDrvRWLock);
    /// Releases a read lock. Thread-safe.
    pub fn erl_drv_rwlock_runlock(rwlck: *mut ErlDrvRWLock);
    /// Tries to write-lock; 0 on success, `EBUSY` otherwise. Thread-safe.
    pub fn erl_drv_rwlock_tryrwlock(rwlck: *mut ErlDrvRWLock) -> c_int;
    /// Write-locks a read/write lock. Thread-safe.
    pub fn erl_drv_rwlock_rwlock(rwlck: *mut ErlDrvRWLock);
    /// Releases a write lock. Thread-safe.
    pub fn erl_drv_rwlock_rwunlock(rwlck: *mut ErlDrvRWLock);
    /// Creates a thread-specific data key in `*key`; 0 or an `errno` value.
    /// Thread-safe.
    pub fn erl_drv_tsd_key_create(name: *mut c_char, key: *mut ErlDrvTSDKey) -> c_int;
    /// Destroys a thread-specific data key. Thread-safe.
    pub fn erl_drv_tsd_key_destroy(key: ErlDrvTSDKey);
    /// Sets the calling thread's value for `key`. Thread-safe.
    pub fn erl_drv_tsd_set(key: ErlDrvTSDKey, data: *mut c_void);
    /// Returns the calling thread's value for `key`, or null. Thread-safe.
    pub fn erl_drv_tsd_get(key: ErlDrvTSDKey) -> *mut c_void;
    /// Destroys thread options. Thread-safe.
    pub fn erl_drv_thread_opts_destroy(opts: *mut ErlDrvThreadOpts);
    /// Allocates thread options with default values; null on failure.
    /// Thread-safe.
    pub fn erl_drv_thread_opts_create(name: *mut c_char) -> *mut ErlDrvThreadOpts;
    /// Starts a thread running `func(args)`; 0 or an `errno` value. The
    /// thread must be joined before the driver is unloaded. Thread-safe.
    pub fn erl_drv_thread_create(
        name: *mut c_char,
        tid: *mut ErlDrvTid,
        func: Option<unsafe extern "C" fn(arg: *mut c_void) -> *mut c_void>,
        args: *mut c_void,
        opts: *mut ErlDrvThreadOpts,
    ) -> c_int;
    /// Returns the calling thread's identifier. Thread-safe.
    pub fn erl_drv_thread_self() -> ErlDrvTid;
    /// Returns non-zero if two thread identifiers are equal. Thread-safe.
    pub fn erl_drv_equal_tids(tid1: ErlDrvTid, tid2: ErlDrvTid) -> c_int;
    /// Terminates the calling thread (created by [`erl_drv_thread_create`]);
    /// does not return. Thread-safe.
    pub fn erl_drv_thread_exit(resp: *mut c_void);
    /// Waits for a thread to end and stores its exit value in `*respp`;
    /// 0 or an `errno` value. Thread-safe.
    pub fn erl_drv_thread_join(tid: ErlDrvTid, respp: *mut *mut c_void) -> c_int;

    /// Returns the name of a mutex (for debugging).
    pub fn erl_drv_mutex_name(mtx: *mut ErlDrvMutex) -> *mut c_char;
    /// Returns the name of a condition variable (for debugging).
    pub fn erl_drv_cond_name(cnd: *mut ErlDrvCond) -> *mut c_char;
    /// Returns the name of a read/write lock (for debugging).
    pub fn erl_drv_rwlock_name(rwlck: *mut ErlDrvRWLock) -> *mut c_char;
    /// Returns the name of a thread (for debugging).
    pub fn erl_drv_thread_name(tid: ErlDrvTid) -> *mut c_char;

    /// Does nothing and returns 0.
    pub fn null_func() -> c_int;

    /// Returns the atom named by a NUL-terminated string, for term specs.
    /// Not thread-safe.
    pub fn driver_mk_atom(name: *mut c_char) -> ErlDrvTermData;
    /// Converts a port handle to a term, for term specs. Not thread-safe.
    pub fn driver_mk_port(port: ErlDrvPort) -> ErlDrvTermData;
    /// Returns the pid of the port owner. Not thread-safe.
    pub fn driver_connected(port: ErlDrvPort) -> ErlDrvTermData;
    /// Returns the pid of the process that made the current call into the
    /// driver. Not thread-safe.
    pub fn driver_caller(port: ErlDrvPort) -> ErlDrvTermData;
    /// The term `[]`.
    pub static driver_term_nil: ErlDrvTermData;
    /// Returns the term `[]`.
    pub fn driver_mk_term_nil() -> ErlDrvTermData;
    /// Creates a new port running the same driver, owned by `connected`;
    /// `start` is not called for it.
    pub fn driver_create_port(
        creator_port: ErlDrvPort,
        connected: ErlDrvTermData,
        name: *mut c_char,
        drv_data: ErlDrvData,
    ) -> ErlDrvPort;

    /// Sends a term spec to the port owner. Not thread-safe.
    #[deprecated(note = "use erl_drv_output_term")]
    pub fn driver_output_term(port: ErlDrvPort, data: *mut ErlDrvTermData, len: c_int) -> c_int;
    /// Sends a term spec to process `to`.
    #[deprecated(note = "use erl_drv_send_term")]
    pub fn driver_send_term(
        port: ErlDrvPort,
        to: ErlDrvTermData,
        data: *mut ErlDrvTermData,
        len: c_int,
    ) -> c_int;

    /// Sends the `len` words of term spec `data` to the owner of `port`
    /// (a value from [`driver_mk_port`]). Thread-safe.
    pub fn erl_drv_output_term(
        port: ErlDrvTermData,
        data: *mut ErlDrvTermData,
        len: c_int,
    ) -> c_int;
    /// Sends the `len` words of term spec `data` to process `to`.
    /// Thread-safe.
    pub fn erl_drv_send_term(
        port: ErlDrvTermData,
        to: ErlDrvTermData,
        data: *mut ErlDrvTermData,
        len: c_int,
    ) -> c_int;

    /// Returns a key that maps the port to a fixed async thread.
    pub fn driver_async_port_key(port: ErlDrvPort) -> c_uint;
    /// Runs `async_invoke(async_data)` on an async thread (chosen by `*key`
    /// if `key` is not null), then calls `ready_async` (or `async_free`
    /// if there is none); returns -1 on failure.
    pub fn driver_async(
        port: ErlDrvPort,
        key: *mut c_uint,
        async_invoke: Option<unsafe extern "C" fn(data: *mut c_void)>,
        async_data: *mut c_void,
        async_free: Option<unsafe extern "C" fn(data: *mut c_void)>,
    ) -> c_long;

    /// Keeps the port's driver loaded for the lifetime of the runtime.
    pub fn driver_lock_driver(port: ErlDrvPort) -> c_int;

    /// Reads a time stamp into `*now`.
    #[deprecated(note = "use erl_drv_monotonic_time (with erl_drv_time_offset)")]
    pub fn driver_get_now(now: *mut ErlDrvNowData) -> c_int;

    /// Returns Erlang monotonic time in `time_unit`, or
    /// [`ERL_DRV_TIME_ERROR`] (bad unit, or not on a scheduler thread).
    pub fn erl_drv_monotonic_time(time_unit: ErlDrvTimeUnit) -> ErlDrvTime;
    /// Returns the offset between Erlang monotonic and system time, or
    /// [`ERL_DRV_TIME_ERROR`] (bad unit, or not on a scheduler thread).
    pub fn erl_drv_time_offset(time_unit: ErlDrvTimeUnit) -> ErlDrvTime;
    /// Converts `val` between time units (rounding down), or returns
    /// [`ERL_DRV_TIME_ERROR`] for a bad unit.
    pub fn erl_drv_convert_time_unit(
        val: ErlDrvTime,
        from: ErlDrvTimeUnit,
        to: ErlDrvTimeUnit,
    ) -> ErlDrvTime;

    /// Opens a shared library; null on failure.
    pub fn driver_dl_open(path: *mut c_char) -> *mut c_void;
    /// Looks up a symbol in a library from [`driver_dl_open`].
    pub fn driver_dl_sym(handle: *mut c_void, name: *mut c_char) -> *mut c_void;
    /// Closes a library from [`driver_dl_open`].
    pub fn driver_dl_close(handle: *mut c_void) -> c_int;
    /// Returns the last error of the `driver_dl_*` functions.
    pub fn driver_dl_error() -> *mut c_char;

    /// Sets a variable in the emulated environment (`os:putenv/2`).
    /// Thread-safe.
    pub fn erl_drv_putenv(key: *const c_char, value: *mut c_char) -> c_int;
    /// Reads a variable of the emulated environment (`os:getenv/1`) into
    /// `value`; `*value_size` is the buffer size in, the length out.
    /// Thread-safe.
    pub fn erl_drv_getenv(key: *const c_char, value: *mut c_char, value_size: *mut usize) -> c_int;

    /// Completes a start delayed by [`ERL_DRV_FLAG_USE_INIT_ACK`]; `res` is
    /// what `start` would have returned.
    pub fn erl_drv_init_ack(port: ErlDrvPort, res: ErlDrvData);

    /// Sets the `os_pid` reported by `erlang:port_info/2` for the port.
    pub fn erl_drv_set_os_pid(port: ErlDrvPort, pid: ErlDrvSInt);
}
