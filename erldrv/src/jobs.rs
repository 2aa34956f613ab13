//! Async jobs on the VM's pool (`driver_async`): the boxed job the VM carries between
//! threads, running it with its panic caught, and handing its outcome back to `ready_async`.

use core::ffi::c_void;
use std::any::TypeId;

use erldrv_sys as sys;

use crate::panic::{Panic, catch, drop_quietly};
use crate::pool::{Cancel, LiveJob};

/// A boxed async job ready for `driver_async`, freed if it is never submitted.
pub(crate) struct AsyncSubmission {
    pub(crate) data: *mut c_void,
    pub(crate) invoke: unsafe extern "C" fn(*mut c_void),
    pub(crate) free: unsafe extern "C" fn(*mut c_void),
}

impl Drop for AsyncSubmission {
    fn drop(&mut self) {
        if !self.data.is_null() {
            // SAFETY: `free` is the job's own destructor and the job was never submitted.
            unsafe { (self.free)(self.data) }
        }
    }
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
    /// Set when the port closes: the job is then not started.
    cancel: Cancel,
    work: Option<Box<dyn FnOnce() -> T + Send>>,
    outcome: Option<Result<T, Panic>>,
    _live: LiveJob,
}

/// Boxes `work` as a job of the driver type `driver`, for
/// [`Driver::spawn_async`](crate::Driver::spawn_async).
pub(crate) fn submission<T: Send + 'static>(
    driver: TypeId,
    cancel: Cancel,
    work: Box<dyn FnOnce() -> T + Send>,
) -> AsyncSubmission {
    let job = Box::new(AsyncJob {
        header: JobHeader {
            driver,
            free: free::<T>,
        },
        cancel,
        work: Some(work),
        outcome: None,
        _live: LiveJob::new(),
    });
    AsyncSubmission {
        data: Box::into_raw(job).cast(),
        invoke: invoke::<T>,
        free: free::<T>,
    }
}

/// Runs on an async-pool thread (or synchronously in `driver_async` without a pool).
unsafe extern "C" fn invoke<T: Send + 'static>(data: *mut c_void) {
    // SAFETY: `data` is our AsyncJob<T>; the VM hands it to one thread at a time.
    let job = unsafe { &mut *data.cast::<AsyncJob<T>>() };
    if let Some(work) = job.work.take() {
        if job.cancel.port_closed() {
            // Its port has closed: nobody will see the result (the VM frees the job).
            drop_quietly(work);
        } else {
            job.outcome = Some(catch(work));
        }
    }
}

/// Frees a job the VM did not hand to `ready_async` (no `ready_async`, or the port closed).
unsafe extern "C" fn free<T: Send + 'static>(data: *mut c_void) {
    // SAFETY: `data` is our AsyncJob<T>, freed exactly once (here or in `take`).
    drop_quietly(unsafe { Box::from_raw(data.cast::<AsyncJob<T>>()) });
}

/// The job the VM hands to `ready_async`.
pub(crate) enum Finished<T> {
    /// The job ran: its value, or its panic.
    Ran(Result<T, Panic>),
    /// It never ran: its port had closed when its turn came.
    NotRun,
    /// It was spawned for another driver type (`other.spawn_async(..)` with the state of
    /// another driver): its result is not a `T`. It has been freed as what it was.
    OtherDriver,
}

/// Takes the outcome of the job `thread_data` out of it and frees the job: when the VM calls
/// `ready_async` it does not call `free`, so the job is ours to free.
///
/// # Safety
/// `thread_data` is a job this module boxed, handed to `ready_async` of the entry of the
/// driver type `driver`, whose jobs produce `T`, and not freed yet.
pub(crate) unsafe fn take<T: Send + 'static>(
    driver: TypeId,
    thread_data: sys::ErlDrvThreadData,
) -> Finished<T> {
    // SAFETY: every job starts with a JobHeader (repr(C) first field).
    let header = unsafe { &*thread_data.cast::<JobHeader>() };
    if header.driver != driver {
        // SAFETY: the header's own free matches the job's real type; freed once.
        unsafe { (header.free)(thread_data.cast()) };
        return Finished::OtherDriver;
    }
    // SAFETY: the header says this job was boxed for `driver`, whose jobs produce `T`
    // (per the contract).
    let mut job = unsafe { Box::from_raw(thread_data.cast::<AsyncJob<T>>()) };
    let outcome = job.outcome.take();
    drop_quietly(job);
    match outcome {
        Some(outcome) => Finished::Ran(outcome),
        None => Finished::NotRun,
    }
}
