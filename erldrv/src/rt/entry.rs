//! The driver entry: which of its slots point at a trampoline, built at compile time from
//! what `#[erl_driver]` found in the impl block ([`Slots`]), and `driver_init`.

use core::cell::UnsafeCell;
use core::ffi::{CStr, c_int};
use core::ptr;

use erldrv_sys as sys;

use crate::driver::{Driver, DriverEntry};
use crate::panic::{install_hook, report_panic};

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
/// need them), `stop_select` (it releases `select_owned` descriptors), `finish` (it
/// releases what is left of those, and joins the driver's threads) and `process_exit`
/// (requests may watch their callers); unwritten, they do nothing for the driver. Every other slot is NULL unless written.
pub const fn entry<D: Driver + DriverEntry>(s: &Slots) -> sys::ErlDrvEntry {
    use super::callbacks::*;
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
        // Always installed: `Request::watch_caller` monitors callers.
        process_exit: Some(process_exit::<D>),
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
    install_hook(hook::<D>);
    // SAFETY: the VM has not seen the entry yet (it gets it from this function), so
    // nothing writes it meanwhile; a plain read of one field.
    let flags = unsafe { (*entry.get()).driver_flags };
    super::create::register::<D>(flags & sys::ERL_DRV_FLAG_USE_PORT_LOCKING != 0);
    crate::pool::configure(D::NAME, D::WORKERS, D::QUEUE);
    #[cfg(feature = "tokio")]
    crate::runtime::reset();
    entry.get()
}

/// The panic hook of driver `D`: a function item, so that installing it allocates nothing
/// (nothing is left behind when the library is unloaded with the hook still installed).
fn hook<D: DriverEntry>(info: &std::panic::PanicHookInfo<'_>) {
    report_panic(D::NAME, info);
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
