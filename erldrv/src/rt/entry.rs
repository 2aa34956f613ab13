//! The driver entry: which of its slots point at a trampoline, built at compile time from
//! what `#[erl_driver]` found in the impl block ([`Slots`]), and `driver_init`.

use core::cell::UnsafeCell;
use core::ffi::{CStr, c_int};
use core::ptr;

use erldrv_sys as sys;

use super::callbacks::refuse_load;
use crate::driver::{Driver, DriverEntry};
use crate::error::InitError;
use crate::panic::{catch, install_hook, report, report_panic};

/// Which entry slots the impl block fills, and the driver's name and flags.
pub struct Slots {
    /// The driver name (`driver_name`): the library's file name without extension.
    pub name: &'static CStr,
    /// The `ERL_DRV_FLAG_*` bits of the entry's `driver_flags`.
    pub flags: c_int,
    /// Written by the block.
    pub init: bool,
    /// Written by the block.
    pub output: bool,
    /// Written by the block.
    pub outputv: bool,
    /// Written by the block.
    pub control: bool,
    /// Written by the block.
    pub call: bool,
    /// Written by the block.
    pub ready_input: bool,
    /// Written by the block.
    pub ready_output: bool,
    /// Written by the block.
    pub ready_async: bool,
    /// Written by the block.
    pub flush: bool,
    /// Written, or `#[erl_driver(watch_callers)]`.
    pub process_exit: bool,
}

/// Builds the driver entry for `D`. Always present, because the framework itself needs
/// them whatever the block writes: `start` and `stop` (they create and free the port
/// state), `timeout` (the framework's zero timer: actions asked for in `start` or
/// `process_exit` run once it fires, and `start` can always ask), `stop_select` (it
/// releases `select_owned` descriptors) and `finish` (it releases what is left of those,
/// and joins the driver's threads and pools); unwritten, they do nothing for the driver.
/// Every other slot is NULL unless written: `ready_async` too (without it the VM frees a
/// job's result, as the trait's default would drop it), and `process_exit` unless
/// `watch_callers` asks for it (without it the VM refuses monitors).
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
        // Always installed: the framework uses the port timer for actions that must wait
        // until `start` or `process_exit` has returned (`Port::exit`, an init ack, a job
        // spawned in `start`), and every driver writes `start`. The VM offers no other way
        // back into the driver once a callback has returned.
        timeout: Some(timeout::<D>),
        outputv: slot!(s.outputv, outputv::<D>),
        // Without it the VM hands a finished job to the job's own `async_free`, which
        // drops the result or panic quietly: what the trait's default `ready_async` does.
        ready_async: slot!(s.ready_async, ready_async::<D>),
        flush: slot!(s.flush, flush::<D>),
        call: slot!(s.call, call::<D>),
        unused_event_callback: None,
        extended_marker: sys::ERL_DRV_EXTENDED_MARKER as c_int,
        major_version: sys::ERL_DRV_EXTENDED_MAJOR_VERSION as c_int,
        minor_version: sys::ERL_DRV_EXTENDED_MINOR_VERSION as c_int,
        driver_flags: s.flags,
        handle2: ptr::null_mut(),
        // Written, or asked for by `watch_callers` (`Request::watch_caller` monitors
        // callers). Without it `driver_monitor_process` fails, as it does for a C driver.
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
    let entry = entry.get();
    prepare::<D>(entry);
    entry
}

/// What every `driver_init` does for the driver it presents (`entry`, D's own), before the
/// VM has its entry.
fn prepare<D: Driver + DriverEntry>(entry: *mut sys::ErlDrvEntry) {
    install_hook(hook::<D>);
    // SAFETY: `entry` is D's entry, static; the VM has not seen it yet (it gets it from
    // the `driver_init` running this), so nothing writes it meanwhile; a plain read of one
    // field.
    let flags = unsafe { (*entry).driver_flags };
    super::create::register::<D>(flags & sys::ERL_DRV_FLAG_USE_PORT_LOCKING != 0);
    crate::pool::configure(D::NAME, D::WORKERS, D::QUEUE);
    #[cfg(feature = "tokio")]
    crate::runtime::reset();
}

/// A driver a library can present when it is loaded: one of the types marked
/// `#[erl_driver(candidate)]`, returned by the chooser of
/// [`driver_init!`](crate::driver_init!).
///
/// ```no_run
/// use erldrv::{Driver, Entry, Port, StartError, erl_driver};
///
/// struct Portable;
///
/// #[erl_driver(name = "sum_drv", candidate)]
/// impl Driver for Portable {
///     fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
///         Ok(Portable)
///     }
/// }
///
/// let entry = Entry::of::<Portable>();
/// assert_eq!(entry.name(), c"sum_drv");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    name: &'static CStr,
    present: fn() -> *mut sys::ErlDrvEntry,
}

impl Entry {
    /// The entry of driver `D`, as `#[erl_driver]` built it.
    pub fn of<D: Driver + DriverEntry>() -> Entry {
        Entry {
            name: D::NAME,
            present: present::<D>,
        }
    }

    /// The driver's name (`#[erl_driver(name = "...")]`).
    pub fn name(&self) -> &'static CStr {
        self.name
    }
}

fn present<D: Driver + DriverEntry>() -> *mut sys::ErlDrvEntry {
    let entry = D::entry();
    prepare::<D>(entry);
    entry
}

/// What the `driver_init` of [`driver_init!`](crate::driver_init!) does: runs the chooser
/// (containing a panic) and presents the entry it picked, or refuses to load: NULL, which
/// the VM reports as `driver_init_failed`, with the reason in the VM's environment for
/// `erldrv:load/2`, as a failed `init` does. `D` is the first candidate, whose name all
/// share.
pub fn choose_driver<D: Driver + DriverEntry>(
    choose: impl FnOnce() -> Result<Entry, InitError>,
) -> *mut sys::ErlDrvEntry {
    // The chooser's panics are reported under the library's driver name.
    install_hook(hook::<D>);
    let reason = match catch(choose) {
        Ok(Ok(entry)) if entry.name == D::NAME => return (entry.present)(),
        Ok(Ok(entry)) => format!(
            "driver_init! chose driver {:?}, but this library's driver is {:?} (every \
             candidate must have the library's name)",
            entry.name,
            D::NAME
        ),
        Ok(Err(e)) => e.message().to_owned(),
        Err(panic) => {
            report(format_args!(
                "erldrv: panic in `driver_init` of driver {:?} contained",
                D::NAME
            ));
            format!("panic in driver_init: {}", panic.message())
        }
    };
    report(format_args!(
        "erldrv: driver {:?} refused to load: {reason}",
        D::NAME
    ));
    refuse_load(D::NAME, &reason);
    ptr::null_mut()
}

/// `a` and `b` are the same driver name; checked at compile time by
/// [`driver_init!`](crate::driver_init!).
pub const fn same_name(a: &CStr, b: &CStr) -> bool {
    let (a, b) = (a.to_bytes(), b.to_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The panic hook of driver `D`: a function item, so that installing it allocates nothing
/// (nothing is left behind when the library is unloaded with the hook still installed).
fn hook<D: DriverEntry>(info: &std::panic::PanicHookInfo<'_>) {
    report_panic(D::NAME, info);
}

impl EntryCell {
    /// A cell holding `entry`, for the `static` that `driver_init` returns a pointer into.
    pub const fn new(entry: sys::ErlDrvEntry) -> EntryCell {
        EntryCell(UnsafeCell::new(entry))
    }

    /// The pointer `driver_init` returns.
    pub const fn get(&self) -> *mut sys::ErlDrvEntry {
        self.0.get()
    }
}
