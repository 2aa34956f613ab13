//! The port data lock (`ErlDrvPDL`), the VM's mutex around a port's driver queue, and the
//! gate that keeps other threads off it once the port has stopped.
//!
//! Facts from the VM this relies on (checked on OTP 25.2.3):
//! - Once a port has a data lock, every operation on its queue must hold the lock; the queue
//!   functions may then be called from any thread.
//! - The lock is reference counted. The port holds one reference until the VM clears the
//!   queue after `stop`; a driver that keeps the lock past that must hold its own, and the
//!   lock keeps the VM's record of the port (and so the driver) loaded while it lives.
//! - The VM locks it too: for the queue while a port closes, and in
//!   `driver_monitor_process`, `driver_demonitor_process` and
//!   `driver_get_monitored_process` (called by a thread that already holds it, these never
//!   return).
//!
//! So the framework holds one reference for as long as the port lives and gives it back in
//! `stop` ([`PortDataLock::revoke`]): other threads pass a gate before they lock, counted in
//! while they hold it, and `revoke` shuts the gate and waits until none is inside; no thread
//! touches the lock or the port after that, and an unload does not wait for handles the
//! driver forgot. The scheduler thread running the port's callbacks locks the VM's lock
//! alone (the port is alive there by definition). Which thread holds the lock is recorded,
//! so that a second lock on the same thread, which would never return, panics instead.

use core::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use erldrv_sys as sys;

/// A port's data lock, shared by the port's bookkeeping and every
/// [`QueueHandle`](crate::QueueHandle) of the port.
pub(crate) struct PortDataLock {
    raw: sys::ErlDrvPDL,
    port: sys::ErlDrvPort,
    /// The gate for threads other than the port's scheduler.
    gate: Mutex<Gate>,
    /// Signalled when the last thread inside leaves a gate that is shutting.
    left: Condvar,
    /// The [`thread_token`] of the thread holding `raw`, 0 when nobody does.
    holder: AtomicUsize,
}

/// Who may lock from other threads.
struct Gate {
    /// `true` while the port lives, and while the framework holds one reference on `raw`.
    open: bool,
    /// Threads that passed the gate and have not unlocked yet.
    inside: usize,
}

// SAFETY: `raw` is only locked, unlocked and released through the VM's functions documented
// as thread-safe; `port` is only handed to the queue functions while `raw` is held and the
// gate says the port lives (the VM allows them on any thread then). The rest is atomics and
// a mutex.
unsafe impl Send for PortDataLock {}
// SAFETY: as above: every method is fit for any thread.
unsafe impl Sync for PortDataLock {}

/// An identifier of the calling thread, unique among live threads, never 0: the address of
/// a thread-local. (Not `std::thread::current()`: on the VM's async threads that would
/// register a thread-local destructor of the driver's library.)
fn thread_token() -> usize {
    thread_local! {
        static TOKEN: u8 = const { 0 };
    }
    TOKEN.with(|t| core::ptr::from_ref(t) as usize)
}

impl PortDataLock {
    /// Creates the port's data lock (`driver_pdl_create`) and takes the framework's
    /// reference on it. `None` when the VM refuses (it does for a port that already has one).
    ///
    /// # Safety
    /// In a callback of the live port `port` other than `stop`, on its scheduler thread.
    pub(crate) unsafe fn create(port: sys::ErlDrvPort) -> Option<PortDataLock> {
        // SAFETY: per the contract.
        let raw = unsafe { sys::driver_pdl_create(port) };
        if raw.is_null() {
            return None;
        }
        // SAFETY: a live lock; the port's own reference stays with the port.
        unsafe { sys::driver_pdl_inc_refc(raw) };
        Some(PortDataLock {
            raw,
            port,
            gate: Mutex::new(Gate {
                open: true,
                inside: 0,
            }),
            left: Condvar::new(),
            holder: AtomicUsize::new(0),
        })
    }

    /// The port, for the queue functions, valid while the lock is held.
    pub(crate) fn port(&self) -> sys::ErlDrvPort {
        self.port
    }

    /// Whether the calling thread holds the lock (a guard of it is alive here).
    pub(crate) fn held_here(&self) -> bool {
        self.holder.load(Ordering::Relaxed) == thread_token()
    }

    /// Locks the VM's lock on the port's scheduler thread, inside a callback: no gate.
    ///
    /// # Panics
    /// When this thread holds it already (the VM's lock is not reentrant).
    ///
    /// # Safety
    /// In a callback of the live port, before `revoke`.
    pub(crate) unsafe fn lock_in_callback(&self) {
        self.refuse_reentry();
        // SAFETY: the port lives, so the lock does (the port holds a reference).
        unsafe { sys::driver_pdl_lock(self.raw) };
        self.holder.store(thread_token(), Ordering::Relaxed);
    }

    /// Locks on any thread, through the gate: `false` once the port has stopped. Unlock with
    /// [`PortDataLock::unlock`], then [`PortDataLock::leave`].
    ///
    /// # Panics
    /// When this thread holds the lock already.
    pub(crate) fn lock_from_anywhere(&self) -> bool {
        self.refuse_reentry();
        {
            let mut gate = self.gate();
            if !gate.open {
                return false;
            }
            gate.inside += 1;
        }
        // SAFETY: this thread is counted in, so `revoke` waits before giving back the
        // framework's reference, which keeps the lock alive; driver_pdl_lock is thread-safe.
        unsafe { sys::driver_pdl_lock(self.raw) };
        self.holder.store(thread_token(), Ordering::Relaxed);
        true
    }

    /// Unlocks what `lock_in_callback` or `lock_from_anywhere` locked.
    ///
    /// # Safety
    /// The calling thread holds the lock.
    pub(crate) unsafe fn unlock(&self) {
        self.holder.store(0, Ordering::Relaxed);
        // SAFETY: per the contract; the lock is alive while held.
        unsafe { sys::driver_pdl_unlock(self.raw) };
    }

    /// A thread that passed the gate and has unlocked goes out.
    pub(crate) fn leave(&self) {
        let mut gate = self.gate();
        gate.inside -= 1;
        if gate.inside == 0 && !gate.open {
            self.left.notify_all();
        }
    }

    /// The gate. Nothing panics while it is held, and each update is whole: a poisoned
    /// mutex still holds a good gate.
    fn gate(&self) -> MutexGuard<'_, Gate> {
        self.gate.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn refuse_reentry(&self) {
        assert!(
            !self.held_here(),
            "the driver queue is already locked on this thread (a QueueGuard of this port \
             is alive): the port data lock is not reentrant, so locking it again would never \
             return; use the guard you have"
        );
    }

    /// The port is stopping: shuts the gate, waits for the threads inside, and gives back
    /// the framework's reference, after which no thread touches the lock or the port again.
    /// Idempotent.
    pub(crate) fn revoke(&self) {
        let mut gate = self.gate();
        if !core::mem::replace(&mut gate.open, false) {
            return;
        }
        while gate.inside > 0 {
            gate = self.left.wait(gate).unwrap_or_else(PoisonError::into_inner);
        }
        drop(gate);
        // SAFETY: our reference, given back once (the gate was open); nobody is inside and
        // nobody gets in, so nothing uses `raw` after this.
        unsafe { sys::driver_pdl_dec_refc(self.raw) };
    }
}

impl Drop for PortDataLock {
    fn drop(&mut self) {
        // Normally revoked in `stop` already; this only covers a port whose bookkeeping
        // goes away without it.
        self.revoke();
    }
}

impl fmt::Debug for PortDataLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let gate = self.gate();
        f.debug_struct("PortDataLock")
            .field("open", &gate.open)
            .field("inside", &gate.inside)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::thread_token;

    #[test]
    fn thread_tokens_differ_between_live_threads() {
        let here = thread_token();
        assert_ne!(here, 0);
        assert_eq!(here, thread_token());
        let there = std::thread::scope(|s| s.spawn(thread_token).join().unwrap());
        assert_ne!(here, there);
    }
}
