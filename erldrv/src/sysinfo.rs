//! What the running VM is: [`system_info`] (`driver_system_info`).

use core::ffi::{CStr, c_char, c_int};

use erldrv_sys as sys;

/// The running VM, as `driver_system_info` describes it: versions, threads and schedulers.
///
/// Each field matches an `erlang:system_info/1` item, named in its docs. The strings point
/// into the emulator itself, which stays loaded for the life of the OS process: they are
/// `&'static`.
///
/// ```no_run
/// let info = erldrv::system_info();
/// // erlang:system_info(driver_version) is "3.3" on every VM erldrv loads into.
/// assert_eq!((info.driver_major_version, info.driver_minor_version), (3, 3));
/// println!("OTP {} (erts {}), {} schedulers, {} async threads",
///     info.otp_release, info.erts_version, info.scheduler_threads, info.async_threads);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SystemInfo {
    /// The major driver version of the VM (`driver_version`, the part before the dot).
    pub driver_major_version: u32,
    /// The minor driver version of the VM (`driver_version`, the part after the dot).
    pub driver_minor_version: u32,
    /// The version of the runtime system (`version`), such as `"13.1.5"`.
    pub erts_version: &'static str,
    /// The OTP release (`otp_release`), such as `"25"`.
    pub otp_release: &'static str,
    /// The VM has thread support (`threads`); always `true` on the VMs erldrv loads into.
    pub thread_support: bool,
    /// The VM has SMP support (`smp_support`); always `true` since OTP 21.
    pub smp_support: bool,
    /// Threads in the VM's async pool, the `+A` flag (`thread_pool_size`): the threads
    /// [`Driver::spawn_async`](crate::Driver::spawn_async) jobs run on.
    pub async_threads: usize,
    /// Scheduler threads, the `+S` flag (`schedulers`: created, not only online ones). The
    /// [worker pool](crate::pool) starts this many workers unless told otherwise.
    pub scheduler_threads: usize,
    /// The major NIF version of the VM (`nif_version`, the part before the dot).
    pub nif_major_version: u32,
    /// The minor NIF version of the VM (`nif_version`, the part after the dot).
    pub nif_minor_version: u32,
    /// The VM has dirty schedulers (for NIFs; a driver cannot use them).
    pub dirty_scheduler_support: bool,
}

/// Describes the running VM (`driver_system_info`). Callable from any thread, including
/// `init` and threads of the driver's own.
///
/// ```no_run
/// // One worker of the driver's own per scheduler, as the worker pool does.
/// let workers = erldrv::system_info().scheduler_threads.max(1);
/// ```
pub fn system_info() -> SystemInfo {
    let mut raw = core::mem::MaybeUninit::<sys::ErlDrvSysInfo>::zeroed();
    // SAFETY: the VM fills at most `size` bytes of the structure (every field on a 3.3
    // VM; a field it does not know stays zeroed, which is a valid value for every field:
    // integers and nullable pointers). The function reads only static data of the VM and
    // may be called from any thread.
    let raw = unsafe {
        sys::driver_system_info(raw.as_mut_ptr(), size_of::<sys::ErlDrvSysInfo>());
        raw.assume_init()
    };
    SystemInfo {
        driver_major_version: version(raw.driver_major_version),
        driver_minor_version: version(raw.driver_minor_version),
        // SAFETY: NULL or the VM's static, NUL-terminated version strings.
        erts_version: unsafe { static_str(raw.erts_version) },
        // SAFETY: as above.
        otp_release: unsafe { static_str(raw.otp_release) },
        thread_support: raw.thread_support != 0,
        smp_support: raw.smp_support != 0,
        async_threads: count(raw.async_threads),
        scheduler_threads: count(raw.scheduler_threads),
        nif_major_version: version(raw.nif_major_version),
        nif_minor_version: version(raw.nif_minor_version),
        dirty_scheduler_support: raw.dirty_scheduler_support != 0,
    }
}

/// A count from the VM; a negative one (never seen) reads as 0.
fn count(n: c_int) -> usize {
    usize::try_from(n).unwrap_or(0)
}

/// A version number from the VM; a negative one (never seen) reads as 0.
fn version(n: c_int) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// A string of the VM's, up to its first byte that is not UTF-8 (version strings are
/// ASCII); `""` for NULL.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string that lives as long as the process.
unsafe fn static_str(p: *const c_char) -> &'static str {
    if p.is_null() {
        return "";
    }
    // SAFETY: per the contract.
    let bytes = unsafe { CStr::from_ptr(p) }.to_bytes();
    match core::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            // SAFETY: the prefix `from_utf8` validated.
            unsafe { core::str::from_utf8_unchecked(valid) }
        }
    }
}
