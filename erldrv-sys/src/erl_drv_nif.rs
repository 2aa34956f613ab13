//! Items of `erl_drv_nif.h`, the header shared by the driver and NIF APIs.
//!
//! `erl_driver.h` includes this header, so everything here is part of the
//! driver API as seen from C. The integer typedefs follow the header's
//! choice for LP64 Unix targets and for 32-bit targets alike: the 64-bit
//! types are always 64 bits wide, the "word" types are pointer-sized.

use core::ffi::{c_char, c_int, c_uchar};
use core::mem::size_of;

/// Information about the running Erlang runtime system, filled in by
/// [`driver_system_info`](crate::driver_system_info).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ErlDrvSysInfo {
    /// Value of `ERL_DRV_EXTENDED_MAJOR_VERSION` the runtime was built with.
    pub driver_major_version: c_int,
    /// Value of `ERL_DRV_EXTENDED_MINOR_VERSION` the runtime was built with.
    pub driver_minor_version: c_int,
    /// NUL-terminated runtime version, as `erlang:system_info(version)`.
    pub erts_version: *mut c_char,
    /// NUL-terminated OTP release, as `erlang:system_info(otp_release)`.
    pub otp_release: *mut c_char,
    /// Non-zero if the runtime has thread support.
    pub thread_support: c_int,
    /// Non-zero if the runtime has SMP support.
    pub smp_support: c_int,
    /// Number of threads in the async thread pool used by `driver_async`.
    pub async_threads: c_int,
    /// Number of scheduler threads.
    pub scheduler_threads: c_int,
    /// Value of `ERL_NIF_MAJOR_VERSION` the runtime was built with.
    pub nif_major_version: c_int,
    /// Value of `ERL_NIF_MINOR_VERSION` the runtime was built with.
    pub nif_minor_version: c_int,
    /// Non-zero if the runtime supports dirty schedulers.
    pub dirty_scheduler_support: c_int,
}

/// Thread options for [`erl_drv_thread_create`](crate::erl_drv_thread_create).
///
/// Must be allocated with
/// [`erl_drv_thread_opts_create`](crate::erl_drv_thread_opts_create), never
/// by the driver itself.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ErlDrvThreadOpts {
    /// Suggested stack size in kilowords; a negative value means the default.
    pub suggested_stack_size: c_int,
}

/// Kind of work a dirty NIF does (C `typedef enum ErlDirtyJobFlags`).
///
/// The C enum has no negative members; its storage is `int`-sized.
pub type ErlDirtyJobFlags = c_int;
/// Dirty job bound by CPU work.
pub const ERL_DIRTY_JOB_CPU_BOUND: ErlDirtyJobFlags = 1;
/// Dirty job bound by I/O work.
pub const ERL_DIRTY_JOB_IO_BOUND: ErlDirtyJobFlags = 2;

/// Select mode bits shared by `enif_select` and
/// [`driver_select`](crate::driver_select) (C `enum ErlNifSelectFlags`).
pub type ErlNifSelectFlags = c_int;
/// Select for reading.
pub const ERL_NIF_SELECT_READ: ErlNifSelectFlags = 1 << 0;
/// Select for writing.
pub const ERL_NIF_SELECT_WRITE: ErlNifSelectFlags = 1 << 1;
/// Stop selecting and release the event.
pub const ERL_NIF_SELECT_STOP: ErlNifSelectFlags = 1 << 2;
/// Cancel an earlier read or write selection.
pub const ERL_NIF_SELECT_CANCEL: ErlNifSelectFlags = 1 << 3;
/// Deliver a custom message when the event fires (NIF only).
pub const ERL_NIF_SELECT_CUSTOM_MSG: ErlNifSelectFlags = 1 << 4;
/// Select for error conditions (NIF only).
pub const ERL_NIF_SELECT_ERROR: ErlNifSelectFlags = 1 << 5;

/// A process monitor, filled in by
/// [`driver_monitor_process`](crate::driver_monitor_process).
///
/// Its content is private to the runtime; compare two monitors with
/// [`driver_compare_monitors`](crate::driver_compare_monitors).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ErlDrvMonitor {
    /// Opaque storage, four pointers wide as in the header.
    pub data: [c_uchar; size_of::<*mut u8>() * 4],
}

/// Unsigned 64-bit integer shared by the driver and NIF APIs.
pub type ErlNapiUInt64 = u64;
/// Signed 64-bit integer shared by the driver and NIF APIs.
pub type ErlNapiSInt64 = i64;
/// Unsigned pointer-sized integer shared by the driver and NIF APIs.
pub type ErlNapiUInt = usize;
/// Signed pointer-sized integer shared by the driver and NIF APIs.
pub type ErlNapiSInt = isize;

/// One element of an I/O vector, laid out like the Unix `struct iovec`.
///
/// The installed header defines an anonymous struct with these two fields
/// unless `HAVE_SYS_UIO_H` is set, in which case it is `struct iovec`
/// itself; both have the same layout (checked by the tests).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SysIOVec {
    /// Start of the buffer.
    pub iov_base: *mut c_char,
    /// Length of the buffer in bytes.
    pub iov_len: usize,
}
