//! The VM's locks and thread-specific data: `ErlDrvMutex`, `ErlDrvCond`, `ErlDrvRWLock`
//! and `erl_drv_tsd_*`, shaped like `std::sync`.
//!
//! A C driver uses these rather than pthreads so that its locks carry names the VM knows
//! (the lock-counting emulator, `erl -emu_type lcnt` with the `lcnt` module, reports
//! mutexes and reader-writer locks by these names) and so that the code is portable
//! wherever the VM runs. They work on any thread: scheduler threads in callbacks, the VM's threads of
//! [`drv_thread`](crate::drv_thread), `std` threads.
//!
//! ```no_run
//! use erldrv::drv_sync::{DrvCond, DrvMutex};
//!
//! // A queue of numbers and the condition a consumer waits on.
//! let queue = DrvMutex::new("numbers", Vec::<u32>::new())?;
//! let ready = DrvCond::new("numbers ready")?;
//!
//! queue.lock().push(1);
//! ready.notify_one();
//!
//! let mut q = ready.wait_while(queue.lock(), |q| q.is_empty());
//! assert_eq!(q.pop(), Some(1));
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Names
//! Each object is created with a name, which the VM copies (it keeps it with the object,
//! `erl_drv_mutex_name` and friends return it), so the Rust string need not outlive the
//! call. A name may not contain a NUL byte: that is an `InvalidInput` error.
//!
//! # Differences from `std::sync`
//! - **No poisoning.** A panic while a guard is held releases the lock as the guard is
//!   dropped; the next `lock` succeeds. The data is as the panicking code left it: keep it
//!   consistent at every step, or check it after a contained panic.
//! - **A lock taken twice by one thread is a panic, not a deadlock.** The VM's locks are not
//!   recursive; `lock` (and `write`, and `read` while the thread holds the write lock)
//!   checks first, since a scheduler thread stuck on its own lock would stall the VM.
//!   A thread that takes a read lock twice may still deadlock if a writer waits in between.
//! - **Guards stay on their thread** (they are not `Send`): the VM's locks must be
//!   released by the thread that took them.
//! - **No timed wait**: the driver API has no `erl_drv_cond_timedwait`.
//! - **Dropping a lock that is still locked** (its guard was leaked with `mem::forget`)
//!   leaves the VM's lock allocated rather than destroying it, which would abort the VM.

use core::fmt;
use std::cell::UnsafeCell;
use std::collections::HashMap;
use std::ffi::{CStr, c_char, c_void};
use std::io;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread::ThreadId;

use erldrv_sys as sys;

use crate::drv_thread::c_string;

thread_local! {
    /// Its address tells one thread from another, for the owner checks of the locks.
    static HERE: u8 = const { 0 };
}

/// The calling thread, as a non-zero number no other live thread has.
fn me() -> usize {
    HERE.with(|here| ptr::from_ref(here) as usize)
}

/// The error of a failed `*_create`: the VM could not allocate the object.
fn out_of_memory(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::OutOfMemory,
        format!("the VM could not create the {what}"),
    )
}

/// A name the VM returned, as an owned string.
fn vm_name(name: *mut c_char) -> String {
    if name.is_null() {
        return String::new();
    }
    // SAFETY: the VM's NUL-terminated copy of the name, kept with the object.
    unsafe { CStr::from_ptr(name) }
        .to_string_lossy()
        .into_owned()
}

/// Whether `owner` names the calling thread.
fn held_here(owner: &AtomicUsize) -> bool {
    // Only the owning thread stores its own number (after locking) and clears it (before
    // unlocking), so a thread reads its own number only while it holds the lock.
    owner.load(Ordering::Relaxed) == me()
}

/// A mutual exclusion lock protecting a `T`: the VM's `ErlDrvMutex`.
///
/// ```no_run
/// use erldrv::drv_sync::DrvMutex;
///
/// let counter = DrvMutex::new("counter", 0u64)?;
/// *counter.lock() += 1;
/// assert_eq!(*counter.lock(), 1);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct DrvMutex<T: ?Sized> {
    raw: NonNull<sys::ErlDrvMutex>,
    /// [`me`] of the thread holding the lock, or 0.
    owner: AtomicUsize,
    data: UnsafeCell<T>,
}

// SAFETY: the VM's mutex may be used and destroyed from any thread; the value moves with
// the mutex, so it must be `Send`.
unsafe impl<T: ?Sized + Send> Send for DrvMutex<T> {}
// SAFETY: the lock hands the value to one thread at a time, as `std::sync::Mutex` does:
// sharing the mutex only needs the value to be sendable between threads.
unsafe impl<T: ?Sized + Send> Sync for DrvMutex<T> {}

impl<T> DrvMutex<T> {
    /// Creates a mutex named `name` (`erl_drv_mutex_create`) holding `value`.
    ///
    /// ```no_run
    /// let m = erldrv::drv_sync::DrvMutex::new("table", vec![1, 2, 3])?;
    /// # drop(m);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// `InvalidInput` for a name with a NUL byte, `OutOfMemory` when the VM cannot create it.
    pub fn new(name: &str, value: T) -> io::Result<DrvMutex<T>> {
        let name = c_string(name)?;
        // SAFETY: thread-safe; the name is NUL-terminated, and the VM copies it.
        let raw = unsafe { sys::erl_drv_mutex_create(name.as_ptr().cast_mut()) };
        Ok(DrvMutex {
            raw: NonNull::new(raw).ok_or_else(|| out_of_memory("mutex"))?,
            owner: AtomicUsize::new(0),
            data: UnsafeCell::new(value),
        })
    }

    /// The value, the mutex being destroyed.
    ///
    /// ```no_run
    /// let m = erldrv::drv_sync::DrvMutex::new("n", 5)?;
    /// assert_eq!(m.into_inner(), 5);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_inner(self) -> T {
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again: the value is read out once, and
        // the raw mutex is destroyed below.
        let value = unsafe { ptr::read(this.data.get()) };
        destroy_mutex(this.raw);
        value
    }
}

impl<T: ?Sized> DrvMutex<T> {
    /// Waits for the lock and returns a guard that gives the value and unlocks on drop.
    ///
    /// ```no_run
    /// let m = erldrv::drv_sync::DrvMutex::new("log", String::new())?;
    /// m.lock().push_str("started");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Panics
    /// When the calling thread holds the lock already (the VM's mutex would deadlock).
    pub fn lock(&self) -> DrvMutexGuard<'_, T> {
        assert!(
            !held_here(&self.owner),
            "erldrv: DrvMutex::lock on a mutex this thread holds already (it would deadlock)"
        );
        // SAFETY: a live mutex of the VM; thread-safe.
        unsafe { sys::erl_drv_mutex_lock(self.raw.as_ptr()) };
        self.owner.store(me(), Ordering::Relaxed);
        DrvMutexGuard {
            mutex: self,
            _here: PhantomData,
        }
    }

    /// The guard if the lock is free now (`erl_drv_mutex_trylock`), else `None` (also when
    /// this thread holds it).
    ///
    /// ```no_run
    /// let m = erldrv::drv_sync::DrvMutex::new("m", 0)?;
    /// let held = m.lock();
    /// assert!(m.try_lock().is_none());
    /// drop(held);
    /// assert!(m.try_lock().is_some());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn try_lock(&self) -> Option<DrvMutexGuard<'_, T>> {
        if held_here(&self.owner) {
            return None;
        }
        // SAFETY: a live mutex of the VM; thread-safe.
        if unsafe { sys::erl_drv_mutex_trylock(self.raw.as_ptr()) } != 0 {
            return None;
        }
        self.owner.store(me(), Ordering::Relaxed);
        Some(DrvMutexGuard {
            mutex: self,
            _here: PhantomData,
        })
    }

    /// The value, through exclusive access to the mutex: no locking needed.
    ///
    /// ```no_run
    /// let mut m = erldrv::drv_sync::DrvMutex::new("m", 1)?;
    /// *m.get_mut() += 1;
    /// assert_eq!(*m.lock(), 2);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }

    /// The name the VM keeps for the mutex (`erl_drv_mutex_name`).
    ///
    /// ```no_run
    /// let m = erldrv::drv_sync::DrvMutex::new("sessions", ())?;
    /// assert_eq!(m.name(), "sessions");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn name(&self) -> String {
        // SAFETY: a live mutex of the VM.
        vm_name(unsafe { sys::erl_drv_mutex_name(self.raw.as_ptr()) })
    }
}

/// Destroys a mutex unless it is locked (a leaked guard): destroying a locked mutex aborts
/// the VM, so that one stays allocated.
fn destroy_mutex(raw: NonNull<sys::ErlDrvMutex>) {
    // SAFETY: a live mutex; the caller has it exclusively, so no other thread locks it.
    if unsafe { sys::erl_drv_mutex_trylock(raw.as_ptr()) } == 0 {
        // SAFETY: locked just above by this thread, then destroyed once, unlocked.
        unsafe {
            sys::erl_drv_mutex_unlock(raw.as_ptr());
            sys::erl_drv_mutex_destroy(raw.as_ptr());
        }
    }
}

impl<T: ?Sized> Drop for DrvMutex<T> {
    fn drop(&mut self) {
        destroy_mutex(self.raw);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for DrvMutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("DrvMutex");
        d.field("name", &self.name());
        match self.try_lock() {
            Some(guard) => d.field("data", &&*guard),
            None => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// The lock of a [`DrvMutex`], held until dropped; gives the value.
///
/// It stays on the thread that locked (it is not `Send`), since the VM's mutex must be
/// unlocked by that thread.
///
/// ```no_run
/// let m = erldrv::drv_sync::DrvMutex::new("m", vec![0u8])?;
/// let mut guard = m.lock();
/// guard.push(1);
/// assert_eq!(guard.len(), 2);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct DrvMutexGuard<'a, T: ?Sized> {
    mutex: &'a DrvMutex<T>,
    _here: PhantomData<*const ()>,
}

// SAFETY: a shared guard only gives `&T`.
unsafe impl<T: ?Sized + Sync> Sync for DrvMutexGuard<'_, T> {}

impl<T: ?Sized> Deref for DrvMutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the lock is held: no other reference to the value exists.
        unsafe { &*self.mutex.data.get() }
    }
}

impl<T: ?Sized> DerefMut for DrvMutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the lock is held and the guard borrowed exclusively.
        unsafe { &mut *self.mutex.data.get() }
    }
}

impl<T: ?Sized> Drop for DrvMutexGuard<'_, T> {
    fn drop(&mut self) {
        self.mutex.owner.store(0, Ordering::Relaxed);
        // SAFETY: locked by this thread (the guard is not `Send`).
        unsafe { sys::erl_drv_mutex_unlock(self.mutex.raw.as_ptr()) };
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for DrvMutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// A condition variable: the VM's `ErlDrvCond`, waited on with a [`DrvMutexGuard`].
///
/// A wait may end without a notification (a spurious wake-up), so wait in a loop on the
/// condition itself, or with [`wait_while`](DrvCond::wait_while). One `DrvCond` serves one
/// [`DrvMutex`] for its whole life: the VM's condition variables are undefined with two.
///
/// ```no_run
/// use erldrv::drv_sync::{DrvCond, DrvMutex};
///
/// let done = DrvMutex::new("done", false)?;
/// let changed = DrvCond::new("done changed")?;
/// // Another thread: `*done.lock() = true; changed.notify_all();`
/// # *done.lock() = true;
/// let guard = changed.wait_while(done.lock(), |done| !*done);
/// assert!(*guard);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct DrvCond {
    raw: NonNull<sys::ErlDrvCond>,
    /// The mutex of the first wait; every wait must use it.
    mutex: AtomicPtr<sys::ErlDrvMutex>,
}

// SAFETY: the VM's condition variables may be used and destroyed from any thread.
unsafe impl Send for DrvCond {}
// SAFETY: as above; every method takes `&self` and is thread-safe in the VM.
unsafe impl Sync for DrvCond {}

impl DrvCond {
    /// Creates a condition variable named `name` (`erl_drv_cond_create`).
    ///
    /// ```no_run
    /// let c = erldrv::drv_sync::DrvCond::new("work available")?;
    /// # drop(c);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// `InvalidInput` for a name with a NUL byte, `OutOfMemory` when the VM cannot create it.
    pub fn new(name: &str) -> io::Result<DrvCond> {
        let name = c_string(name)?;
        // SAFETY: thread-safe; the name is NUL-terminated, and the VM copies it.
        let raw = unsafe { sys::erl_drv_cond_create(name.as_ptr().cast_mut()) };
        Ok(DrvCond {
            raw: NonNull::new(raw).ok_or_else(|| out_of_memory("condition variable"))?,
            mutex: AtomicPtr::new(ptr::null_mut()),
        })
    }

    /// Releases the guard's lock, waits for a notification (or a spurious wake-up), and
    /// takes the lock again (`erl_drv_cond_wait`).
    ///
    /// ```no_run
    /// use erldrv::drv_sync::{DrvCond, DrvMutex};
    ///
    /// let jobs = DrvMutex::new("jobs", vec![1])?;
    /// let more = DrvCond::new("more jobs")?;
    /// let mut guard = jobs.lock();
    /// while guard.is_empty() {
    ///     guard = more.wait(guard);
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Panics
    /// When the guard's mutex is not the one this condition variable was first waited with.
    pub fn wait<'a, T: ?Sized>(&self, guard: DrvMutexGuard<'a, T>) -> DrvMutexGuard<'a, T> {
        let mutex = guard.mutex.raw.as_ptr();
        if let Err(bound) = self.mutex.compare_exchange(
            ptr::null_mut(),
            mutex,
            Ordering::Relaxed,
            Ordering::Relaxed,
        ) {
            assert!(
                bound == mutex,
                "erldrv: DrvCond::wait with a second DrvMutex; a DrvCond serves one mutex"
            );
        }
        guard.mutex.owner.store(0, Ordering::Relaxed);
        // SAFETY: both live; the mutex is held by this thread (the guard), which the wait
        // releases and takes back before returning.
        unsafe { sys::erl_drv_cond_wait(self.raw.as_ptr(), mutex) };
        guard.mutex.owner.store(me(), Ordering::Relaxed);
        guard
    }

    /// Waits while `condition` holds for the guarded value; returns the guard once it does
    /// not. Spurious wake-ups are taken care of.
    ///
    /// ```no_run
    /// use erldrv::drv_sync::{DrvCond, DrvMutex};
    ///
    /// let left = DrvMutex::new("left", 0u32)?;
    /// let changed = DrvCond::new("left changed")?;
    /// let guard = changed.wait_while(left.lock(), |n| *n > 0);
    /// assert_eq!(*guard, 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Panics
    /// As [`wait`](DrvCond::wait).
    pub fn wait_while<'a, T: ?Sized>(
        &self,
        mut guard: DrvMutexGuard<'a, T>,
        mut condition: impl FnMut(&mut T) -> bool,
    ) -> DrvMutexGuard<'a, T> {
        while condition(&mut guard) {
            guard = self.wait(guard);
        }
        guard
    }

    /// Wakes one waiting thread, if any (`erl_drv_cond_signal`).
    ///
    /// ```no_run
    /// let c = erldrv::drv_sync::DrvCond::new("c")?;
    /// c.notify_one();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn notify_one(&self) {
        // SAFETY: a live condition variable; thread-safe.
        unsafe { sys::erl_drv_cond_signal(self.raw.as_ptr()) };
    }

    /// Wakes every waiting thread (`erl_drv_cond_broadcast`).
    ///
    /// ```no_run
    /// let c = erldrv::drv_sync::DrvCond::new("c")?;
    /// c.notify_all();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn notify_all(&self) {
        // SAFETY: a live condition variable; thread-safe.
        unsafe { sys::erl_drv_cond_broadcast(self.raw.as_ptr()) };
    }

    /// The name the VM keeps for it (`erl_drv_cond_name`).
    ///
    /// ```no_run
    /// let c = erldrv::drv_sync::DrvCond::new("ready")?;
    /// assert_eq!(c.name(), "ready");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn name(&self) -> String {
        // SAFETY: a live condition variable.
        vm_name(unsafe { sys::erl_drv_cond_name(self.raw.as_ptr()) })
    }
}

impl Drop for DrvCond {
    fn drop(&mut self) {
        // SAFETY: created by erl_drv_cond_create, destroyed once; no thread waits on it,
        // since a waiter borrows it.
        unsafe { sys::erl_drv_cond_destroy(self.raw.as_ptr()) };
    }
}

impl fmt::Debug for DrvCond {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DrvCond")
            .field("name", &self.name())
            .finish()
    }
}

/// A reader-writer lock protecting a `T`: the VM's `ErlDrvRWLock`. Many readers at once,
/// or one writer.
///
/// ```no_run
/// use erldrv::drv_sync::DrvRwLock;
///
/// let config = DrvRwLock::new("config", String::from("v1"))?;
/// assert_eq!(*config.read(), "v1");
/// *config.write() = String::from("v2");
/// assert_eq!(*config.read(), "v2");
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct DrvRwLock<T: ?Sized> {
    raw: NonNull<sys::ErlDrvRWLock>,
    /// [`me`] of the thread holding the write lock, or 0.
    writer: AtomicUsize,
    data: UnsafeCell<T>,
}

// SAFETY: the VM's lock may be used and destroyed from any thread; the value moves with it.
unsafe impl<T: ?Sized + Send> Send for DrvRwLock<T> {}
// SAFETY: readers on several threads share `&T` (so `T: Sync`); a writer gets `&mut T`
// from whichever thread (so `T: Send`), as with `std::sync::RwLock`.
unsafe impl<T: ?Sized + Send + Sync> Sync for DrvRwLock<T> {}

impl<T> DrvRwLock<T> {
    /// Creates a reader-writer lock named `name` (`erl_drv_rwlock_create`) holding `value`.
    ///
    /// ```no_run
    /// let l = erldrv::drv_sync::DrvRwLock::new("routes", Vec::<String>::new())?;
    /// # drop(l);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// `InvalidInput` for a name with a NUL byte, `OutOfMemory` when the VM cannot create it.
    pub fn new(name: &str, value: T) -> io::Result<DrvRwLock<T>> {
        let name = c_string(name)?;
        // SAFETY: thread-safe; the name is NUL-terminated, and the VM copies it.
        let raw = unsafe { sys::erl_drv_rwlock_create(name.as_ptr().cast_mut()) };
        Ok(DrvRwLock {
            raw: NonNull::new(raw).ok_or_else(|| out_of_memory("reader-writer lock"))?,
            writer: AtomicUsize::new(0),
            data: UnsafeCell::new(value),
        })
    }

    /// The value, the lock being destroyed.
    ///
    /// ```no_run
    /// let l = erldrv::drv_sync::DrvRwLock::new("l", 3)?;
    /// assert_eq!(l.into_inner(), 3);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_inner(self) -> T {
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again: the value is read out once, and
        // the raw lock is destroyed below.
        let value = unsafe { ptr::read(this.data.get()) };
        destroy_rwlock(this.raw);
        value
    }
}

impl<T: ?Sized> DrvRwLock<T> {
    /// Waits for a read lock (`erl_drv_rwlock_rlock`).
    ///
    /// ```no_run
    /// let l = erldrv::drv_sync::DrvRwLock::new("l", 1)?;
    /// let (a, b) = (l.read(), l.try_read().unwrap());
    /// assert_eq!(*a + *b, 2);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Panics
    /// When the calling thread holds the write lock.
    pub fn read(&self) -> DrvReadGuard<'_, T> {
        assert!(
            !held_here(&self.writer),
            "erldrv: DrvRwLock::read while this thread holds the write lock (it would deadlock)"
        );
        // SAFETY: a live lock of the VM; thread-safe.
        unsafe { sys::erl_drv_rwlock_rlock(self.raw.as_ptr()) };
        DrvReadGuard {
            lock: self,
            _here: PhantomData,
        }
    }

    /// A read lock if one can be had now (`erl_drv_rwlock_tryrlock`), else `None`.
    ///
    /// ```no_run
    /// let l = erldrv::drv_sync::DrvRwLock::new("l", 1)?;
    /// let w = l.write();
    /// assert!(l.try_read().is_none());
    /// # drop(w);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn try_read(&self) -> Option<DrvReadGuard<'_, T>> {
        if held_here(&self.writer) {
            return None;
        }
        // SAFETY: a live lock of the VM; thread-safe.
        if unsafe { sys::erl_drv_rwlock_tryrlock(self.raw.as_ptr()) } != 0 {
            return None;
        }
        Some(DrvReadGuard {
            lock: self,
            _here: PhantomData,
        })
    }

    /// Waits for the write lock (`erl_drv_rwlock_rwlock`).
    ///
    /// ```no_run
    /// let l = erldrv::drv_sync::DrvRwLock::new("l", 1)?;
    /// *l.write() += 1;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Panics
    /// When the calling thread holds the write lock already.
    pub fn write(&self) -> DrvWriteGuard<'_, T> {
        assert!(
            !held_here(&self.writer),
            "erldrv: DrvRwLock::write while this thread holds the write lock (it would \
             deadlock)"
        );
        // SAFETY: a live lock of the VM; thread-safe.
        unsafe { sys::erl_drv_rwlock_rwlock(self.raw.as_ptr()) };
        self.writer.store(me(), Ordering::Relaxed);
        DrvWriteGuard {
            lock: self,
            _here: PhantomData,
        }
    }

    /// The write lock if it can be had now (`erl_drv_rwlock_tryrwlock`), else `None`.
    ///
    /// ```no_run
    /// let l = erldrv::drv_sync::DrvRwLock::new("l", 1)?;
    /// let r = l.read();
    /// assert!(l.try_write().is_none());
    /// drop(r);
    /// assert!(l.try_write().is_some());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn try_write(&self) -> Option<DrvWriteGuard<'_, T>> {
        if held_here(&self.writer) {
            return None;
        }
        // SAFETY: a live lock of the VM; thread-safe.
        if unsafe { sys::erl_drv_rwlock_tryrwlock(self.raw.as_ptr()) } != 0 {
            return None;
        }
        self.writer.store(me(), Ordering::Relaxed);
        Some(DrvWriteGuard {
            lock: self,
            _here: PhantomData,
        })
    }

    /// The value, through exclusive access to the lock: no locking needed.
    ///
    /// ```no_run
    /// let mut l = erldrv::drv_sync::DrvRwLock::new("l", 1)?;
    /// *l.get_mut() = 2;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }

    /// The name the VM keeps for the lock (`erl_drv_rwlock_name`).
    ///
    /// ```no_run
    /// let l = erldrv::drv_sync::DrvRwLock::new("cache", ())?;
    /// assert_eq!(l.name(), "cache");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn name(&self) -> String {
        // SAFETY: a live lock of the VM.
        vm_name(unsafe { sys::erl_drv_rwlock_name(self.raw.as_ptr()) })
    }
}

/// Destroys a reader-writer lock unless it is locked (a leaked guard): destroying a locked
/// one aborts the VM, so that one stays allocated.
fn destroy_rwlock(raw: NonNull<sys::ErlDrvRWLock>) {
    // SAFETY: a live lock; the caller has it exclusively, so no other thread locks it.
    if unsafe { sys::erl_drv_rwlock_tryrwlock(raw.as_ptr()) } == 0 {
        // SAFETY: write-locked just above by this thread, then destroyed once, unlocked.
        unsafe {
            sys::erl_drv_rwlock_rwunlock(raw.as_ptr());
            sys::erl_drv_rwlock_destroy(raw.as_ptr());
        }
    }
}

impl<T: ?Sized> Drop for DrvRwLock<T> {
    fn drop(&mut self) {
        destroy_rwlock(self.raw);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for DrvRwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("DrvRwLock");
        d.field("name", &self.name());
        match self.try_read() {
            Some(guard) => d.field("data", &&*guard),
            None => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// A read lock of a [`DrvRwLock`], held until dropped; gives `&T`. It stays on the thread
/// that locked (it is not `Send`).
///
/// ```no_run
/// let l = erldrv::drv_sync::DrvRwLock::new("l", vec![1, 2])?;
/// let r = l.read();
/// assert_eq!(r.len(), 2);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct DrvReadGuard<'a, T: ?Sized> {
    lock: &'a DrvRwLock<T>,
    _here: PhantomData<*const ()>,
}

// SAFETY: a shared guard only gives `&T`.
unsafe impl<T: ?Sized + Sync> Sync for DrvReadGuard<'_, T> {}

impl<T: ?Sized> Deref for DrvReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: a read lock is held: no writer, so no `&mut T`, exists.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for DrvReadGuard<'_, T> {
    fn drop(&mut self) {
        // SAFETY: read-locked by this thread (the guard is not `Send`).
        unsafe { sys::erl_drv_rwlock_runlock(self.lock.raw.as_ptr()) };
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for DrvReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// The write lock of a [`DrvRwLock`], held until dropped; gives `&mut T`. It stays on the
/// thread that locked (it is not `Send`).
///
/// ```no_run
/// let l = erldrv::drv_sync::DrvRwLock::new("l", vec![1])?;
/// l.write().push(2);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct DrvWriteGuard<'a, T: ?Sized> {
    lock: &'a DrvRwLock<T>,
    _here: PhantomData<*const ()>,
}

// SAFETY: a shared guard only gives `&T`.
unsafe impl<T: ?Sized + Sync> Sync for DrvWriteGuard<'_, T> {}

impl<T: ?Sized> Deref for DrvWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the write lock is held: no other reference to the value exists.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for DrvWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the write lock is held and the guard borrowed exclusively.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for DrvWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.writer.store(0, Ordering::Relaxed);
        // SAFETY: write-locked by this thread (the guard is not `Send`).
        unsafe { sys::erl_drv_rwlock_rwunlock(self.lock.raw.as_ptr()) };
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for DrvWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// One thread's value of a [`DrvThreadLocal`], with the thread it belongs to.
struct Entry<T> {
    thread: ThreadId,
    value: T,
}

/// A value per thread, kept with the VM's thread-specific data (`erl_drv_tsd_*`).
///
/// Each thread that asks gets its own value, made the first time by
/// [`get_or`](DrvThreadLocal::get_or); it stays until the `DrvThreadLocal` is dropped,
/// which drops every thread's value (on the dropping thread: hence `T: Send`) and destroys
/// the key. The VM's thread-specific data has no destructors, so a value is not dropped
/// when its thread ends: it is dropped with the `DrvThreadLocal`, and
/// [`iter_mut`](DrvThreadLocal::iter_mut) still sees it, which is how a driver collects what
/// its threads left. Keep a `DrvThreadLocal` in a port's state or drop it in
/// [`Driver::finish`](crate::Driver::finish); one in a `static` is never dropped, and its
/// key is never given back to the VM.
///
/// ```no_run
/// use std::cell::Cell;
/// use erldrv::drv_sync::DrvThreadLocal;
///
/// let mut calls = DrvThreadLocal::new("calls")?;
/// let mine: &Cell<u32> = calls.get_or(|| Cell::new(0));
/// mine.set(mine.get() + 1);
/// // Later, with every thread done: the sum over all threads.
/// let total: u32 = calls.iter_mut().map(|c| c.get()).sum();
/// assert_eq!(total, 1);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// On a thread the VM did not start (a `std::thread`), the first value makes the VM
/// allocate a thread identity and a slot table that it frees only for its own threads: a
/// few dozen bytes per such thread. Scheduler threads, async threads and
/// [`drv_thread`](crate::drv_thread)s are the VM's.
///
/// # Why each value is checked
/// `erl_drv_tsd_key_destroy` leaves every thread's value for that key in place, and the VM
/// gives the same key number to the next key created: a thread would find there a pointer
/// to the value of a `DrvThreadLocal` that is gone. So the pointer read from the VM is used
/// only after this key's own table says that it made it, for this thread.
pub struct DrvThreadLocal<T: Send> {
    key: sys::ErlDrvTSDKey,
    /// Every value this key made, by address: freed when the key is dropped.
    entries: Mutex<HashMap<usize, NonNull<Entry<T>>>>,
}

// SAFETY: the VM's keys may be used and destroyed from any thread; the values are dropped
// on the dropping thread, so they must be `Send`.
unsafe impl<T: Send> Send for DrvThreadLocal<T> {}
// SAFETY: through `&self` a thread reaches only its own value (`&T` crosses to another
// thread only if `T: Sync`); the table is behind a mutex.
unsafe impl<T: Send> Sync for DrvThreadLocal<T> {}

impl<T: Send> DrvThreadLocal<T> {
    /// Creates the key, named `name` (`erl_drv_tsd_key_create`); no thread has a value.
    ///
    /// ```no_run
    /// let scratch = erldrv::drv_sync::DrvThreadLocal::<Vec<u8>>::new("scratch")?;
    /// assert!(scratch.get().is_none());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// `InvalidInput` for a name with a NUL byte; the VM's `errno` value (`ENOMEM`) when it
    /// cannot create a key.
    pub fn new(name: &str) -> io::Result<DrvThreadLocal<T>> {
        let name = c_string(name)?;
        let mut key: sys::ErlDrvTSDKey = -1;
        // SAFETY: thread-safe; the name is NUL-terminated and copied by the VM; `key` is a
        // valid place for the result.
        let r = unsafe { sys::erl_drv_tsd_key_create(name.as_ptr().cast_mut(), &mut key) };
        if r != 0 {
            return Err(io::Error::from_raw_os_error(r));
        }
        Ok(DrvThreadLocal {
            key,
            entries: Mutex::new(HashMap::new()),
        })
    }

    /// The calling thread's value, if it has one.
    ///
    /// ```no_run
    /// let l = erldrv::drv_sync::DrvThreadLocal::new("l")?;
    /// assert_eq!(l.get(), None);
    /// l.get_or(|| 5);
    /// assert_eq!(l.get(), Some(&5));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn get(&self) -> Option<&T> {
        // SAFETY: a live key (dropped only with `self`); thread-safe.
        let p = unsafe { sys::erl_drv_tsd_get(self.key) };
        if p.is_null() {
            return None;
        }
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = *entries.get(&(p as usize))?;
        drop(entries);
        // SAFETY: made by this key (in its table) and freed only when the key is dropped,
        // which `&self` prevents; nothing writes it after creation.
        let entry = unsafe { entry.as_ref() };
        (entry.thread == std::thread::current().id()).then_some(&entry.value)
    }

    /// The calling thread's value, made with `init` if it has none yet.
    ///
    /// ```no_run
    /// let buffers = erldrv::drv_sync::DrvThreadLocal::new("buffers")?;
    /// let buf: &std::cell::RefCell<Vec<u8>> = buffers.get_or(Default::default);
    /// buf.borrow_mut().extend_from_slice(b"per thread");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn get_or(&self, init: impl FnOnce() -> T) -> &T {
        if let Some(value) = self.get() {
            return value;
        }
        let value = init();
        // `init` may have made this thread's value itself (through this same key): keep
        // that one.
        if let Some(value) = self.get() {
            return value;
        }
        let entry = NonNull::from(Box::leak(Box::new(Entry {
            thread: std::thread::current().id(),
            value,
        })));
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(entry.as_ptr() as usize, entry);
        // SAFETY: a live key; thread-safe. The pointer stays valid while the key lives.
        unsafe { sys::erl_drv_tsd_set(self.key, entry.as_ptr().cast::<c_void>()) };
        // SAFETY: just made, in the table until the key is dropped.
        &unsafe { entry.as_ref() }.value
    }

    /// Every thread's value, including those of threads that have ended.
    ///
    /// ```no_run
    /// let mut l = erldrv::drv_sync::DrvThreadLocal::new("l")?;
    /// l.get_or(|| 1);
    /// for v in l.iter_mut() {
    ///     *v += 1;
    /// }
    /// assert_eq!(l.get(), Some(&2));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.entries
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .values_mut()
            // SAFETY: made by this key and exclusively borrowed with it; each once.
            .map(|entry| &mut unsafe { entry.as_mut() }.value)
    }
}

impl<T: Send> Drop for DrvThreadLocal<T> {
    fn drop(&mut self) {
        let entries = std::mem::take(
            self.entries
                .get_mut()
                .unwrap_or_else(PoisonError::into_inner),
        );
        for (_, entry) in entries {
            // SAFETY: leaked by `get_or`, freed once here; no reference to it remains.
            crate::panic::drop_quietly(unsafe { Box::from_raw(entry.as_ptr()) });
        }
        // SAFETY: created by erl_drv_tsd_key_create, destroyed once.
        unsafe { sys::erl_drv_tsd_key_destroy(self.key) };
    }
}

impl<T: Send> fmt::Debug for DrvThreadLocal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DrvThreadLocal")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}
