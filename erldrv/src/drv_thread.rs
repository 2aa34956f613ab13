//! The VM's own threads (`erl_drv_thread_create`), shaped like `std::thread`.
//!
//! A C driver that wants its threads to be the VM's (named as the VM names them, with the
//! stack size the VM computes, visible to its tools) calls `erl_drv_thread_create` and later
//! `erl_drv_thread_join`. [`Builder`] and [`spawn`] do the same in safe Rust:
//!
//! ```no_run
//! use std::time::Duration;
//! use erldrv::drv_thread;
//!
//! let worker = drv_thread::Builder::new()
//!     .name("sampler")
//!     .stack_size(256 * 1024)
//!     .spawn(|stop| {
//!         let mut samples = 0u64;
//!         // Every 10 ms until asked to stop (at the latest, when the driver is unloaded).
//!         while !stop.wait_timeout(Duration::from_millis(10)) {
//!             samples += 1;
//!         }
//!         samples
//!     })?;
//! let samples: u64 = worker.stop_and_join().expect("the sampler panicked");
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # The same rules as `erldrv::thread`
//! These threads are in the list of [`erldrv::thread`](crate::thread): the closure gets a
//! [`StopToken`], the handle can [`stop`](JoinHandle::stop) and [`join`](JoinHandle::join)
//! the thread, and every thread still running when the driver is unloaded is stopped and
//! joined (with `erl_drv_thread_join`) before `finish` returns to the VM, which then unmaps
//! the library. Dropping a [`JoinHandle`] does not detach the thread.
//!
//! A panic ends the thread's closure only: [`JoinHandle::join`] returns it as `Err`, as
//! `std` does, and the VM goes on (nothing unwinds into the VM's thread start code).
//!
//! # What the VM does with the name and the stack size
//! - The name is copied by the VM (`erl_drv_thread_create` keeps its own copy). On Linux
//!   the VM also gives its first 15 bytes to the OS thread (`pthread_setname_np`), so the
//!   thread shows under that name in `/proc/<pid>/task/*/comm`, `top -H` and debuggers.
//!   Without a name the VM calls the thread `unknown`.
//! - The stack size is a suggestion: the VM rounds it to whole pages, adds a page, and
//!   clamps it to its own minimum and maximum. Without one, the VM's default applies. A
//!   stack overflow on a VM thread is fatal to the whole VM, as it is for a C driver: the
//!   guard page that turns a Rust overflow into a message is installed only on threads
//!   started by `std`.
//!
//! # No `erl_drv_thread_exit`
//! `erl_drv_thread_exit` ends the thread with `pthread_exit`, which unwinds the stack in a
//! way Rust does not see: the destructors of the frames it removes never run (a
//! [`DrvMutexGuard`](crate::drv_sync::DrvMutexGuard) would keep its mutex locked for
//! ever), and unwinding like that through Rust frames that own values is undefined
//! behaviour. [`exit`] gives the same result in a sound way: it unwinds to the thread's
//! start as a panic does (running every destructor on the way, without printing anything),
//! and the thread ends with the value given, which [`JoinHandle::join`] returns.
//!
//! # Thread identities
//! `erl_drv_thread_self` and `erl_drv_equal_tids` are [`current`] and
//! [`JoinHandle::is_current`]. The VM frees a thread's identity when the thread is joined,
//! so an identity is never handed out as a value that could outlive it: [`Current`] stays on
//! its own thread (it is not `Send`), and a handle checks its thread's identity under a lock
//! that the join takes too.
//!
//! On a thread the VM did not start (a `std::thread`), `current` makes the VM allocate an
//! identity that it frees only for its own threads: a few dozen bytes per such thread.

use core::fmt;
use std::any::{Any, TypeId};
use std::cell::Cell;
use std::ffi::{CStr, CString, c_int, c_void};
use std::io;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::ptr::{self, NonNull};
use std::sync::{Arc, Mutex, PoisonError};

use erldrv_sys as sys;

use crate::thread::{Body, OsJoin, StopToken};

/// The bytes in one of the VM's words: `suggested_stack_size` counts kilowords.
const WORD: usize = size_of::<usize>();

/// Starts a VM thread named `name` that runs `f` with its [`StopToken`]; the same as
/// `Builder::new().name(name).spawn(f)`.
///
/// ```no_run
/// let h = erldrv::drv_thread::spawn("adder", |_stop| 2 + 2)?;
/// assert_eq!(h.join().unwrap(), 4);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
/// As [`Builder::spawn`].
pub fn spawn<F, T>(name: impl Into<String>, f: F) -> io::Result<JoinHandle<T>>
where
    F: FnOnce(&StopToken) -> T + Send + 'static,
    T: Send + 'static,
{
    Builder::new().name(name).spawn(f)
}

/// How to start a VM thread: its name and stack size, as `std::thread::Builder`.
///
/// ```no_run
/// let h = erldrv::drv_thread::Builder::new()
///     .name("crunch")
///     .stack_size(1 << 20)
///     .spawn(|_stop| (1..=10u64).product::<u64>())?;
/// assert_eq!(h.join().unwrap(), 3_628_800);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Default, Clone)]
pub struct Builder {
    name: Option<String>,
    stack_size: Option<usize>,
}

impl Builder {
    /// A builder for a thread with no name and the VM's default stack size.
    ///
    /// ```
    /// let b = erldrv::drv_thread::Builder::new();
    /// # drop(b);
    /// ```
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Names the thread. The VM keeps the name (`erl_drv_thread_name`), and on Linux its
    /// first 15 bytes become the OS thread's name.
    ///
    /// ```
    /// let b = erldrv::drv_thread::Builder::new().name("reader");
    /// # drop(b);
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Builder {
        self.name = Some(name.into());
        self
    }

    /// Suggests a stack of `bytes` bytes (`ErlDrvThreadOpts::suggested_stack_size`, which
    /// counts kilowords: rounded up). The VM clamps it to its own limits.
    ///
    /// ```
    /// let b = erldrv::drv_thread::Builder::new().stack_size(512 * 1024);
    /// # drop(b);
    /// ```
    pub fn stack_size(mut self, bytes: usize) -> Builder {
        self.stack_size = Some(bytes);
        self
    }

    /// Starts the thread, running `f` with its [`StopToken`].
    ///
    /// ```no_run
    /// let h = erldrv::drv_thread::Builder::new()
    ///     .name("waiter")
    ///     .spawn(|stop| stop.wait())?;
    /// h.stop_and_join().unwrap();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// `InvalidInput` when the name contains a NUL byte or the stack size is beyond what
    /// the VM can be told; `OutOfMemory` when the VM cannot allocate the options; the
    /// `errno` value of `erl_drv_thread_create` when it fails (`EAGAIN`: too many threads).
    pub fn spawn<F, T>(self, f: F) -> io::Result<JoinHandle<T>>
    where
        F: FnOnce(&StopToken) -> T + Send + 'static,
        T: Send + 'static,
    {
        let kilowords = self.stack_size.map(kilowords).transpose()?;
        let c_name = self.name.as_deref().map(c_string).transpose()?;
        let label = self.name.unwrap_or_else(|| "unnamed VM thread".to_owned());
        let tid = Arc::new(TidSlot(Mutex::new(None)));
        let slot = Arc::clone(&tid);
        let inner = crate::thread::spawn_with(
            label,
            move |stop| run_with_exit::<T>(|| f(stop)),
            move |_, body| start(c_name.as_deref(), kilowords, body, slot),
        )?;
        Ok(JoinHandle { inner, tid })
    }
}

/// `bytes` as the VM's `suggested_stack_size`: kilowords, rounded up.
fn kilowords(bytes: usize) -> io::Result<c_int> {
    c_int::try_from(bytes.div_ceil(1024 * WORD)).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "the stack size is larger than the VM can be told",
        )
    })
}

/// `name` as a C string, refused with a clear error when it holds a NUL byte.
pub(crate) fn c_string(name: &str) -> io::Result<CString> {
    CString::new(name).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "a name given to the VM cannot contain a NUL byte",
        )
    })
}

/// Thread options from `erl_drv_thread_opts_create`, destroyed on drop.
struct Opts(NonNull<sys::ErlDrvThreadOpts>);

impl Opts {
    fn new(name: Option<&CStr>, kilowords: c_int) -> io::Result<Opts> {
        let name = name.map_or(ptr::null_mut(), |n| n.as_ptr().cast_mut());
        // SAFETY: thread-safe; `name` is NULL or NUL-terminated, and the VM only reads it.
        let raw = unsafe { sys::erl_drv_thread_opts_create(name) };
        let raw = NonNull::new(raw).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::OutOfMemory,
                "the VM could not allocate thread options",
            )
        })?;
        // SAFETY: the VM allocated and initialised the options; nothing else refers to them.
        unsafe { (*raw.as_ptr()).suggested_stack_size = kilowords };
        Ok(Opts(raw))
    }
}

impl Drop for Opts {
    fn drop(&mut self) {
        // SAFETY: made by erl_drv_thread_opts_create, destroyed once; the VM reads the
        // options only during erl_drv_thread_create.
        unsafe { sys::erl_drv_thread_opts_destroy(self.0.as_ptr()) };
    }
}

/// A VM thread's identity (`ErlDrvTid`), valid until the thread is joined.
struct RawTid(NonNull<sys::ErlDrvTid_>);

// SAFETY: an ErlDrvTid is a handle the VM's thread functions accept from any thread.
unsafe impl Send for RawTid {}

/// The identity of one VM thread, taken out (and freed by the join) when it is joined.
struct TidSlot(Mutex<Option<RawTid>>);

impl TidSlot {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<RawTid>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Starts the OS thread with `erl_drv_thread_create`; returns its join.
fn start(
    name: Option<&CStr>,
    kilowords: Option<c_int>,
    body: Body,
    slot: Arc<TidSlot>,
) -> io::Result<OsJoin> {
    let opts = kilowords.map(|kw| Opts::new(name, kw)).transpose()?;
    let arg = Box::into_raw(Box::new(body));
    let mut tid: sys::ErlDrvTid = ptr::null_mut();
    // The identity is stored before the thread can ask for it (`is_current`).
    let mut stored = slot.lock();
    // SAFETY: thread-safe. The name is NULL or NUL-terminated and copied by the VM; `arg`
    // is a leaked `Box<Body>` that `entry` takes back exactly once, on the new thread; the
    // options are valid for the call.
    let r = unsafe {
        sys::erl_drv_thread_create(
            name.map_or(ptr::null_mut(), |n| n.as_ptr().cast_mut()),
            &mut tid,
            Some(entry),
            arg.cast::<c_void>(),
            opts.as_ref().map_or(ptr::null_mut(), |o| o.0.as_ptr()),
        )
    };
    drop(opts);
    if r != 0 {
        // SAFETY: the thread was not started: `arg` is still ours.
        crate::panic::drop_quietly(unsafe { Box::from_raw(arg) });
        return Err(io::Error::from_raw_os_error(r));
    }
    // The VM always returns an identity with a started thread.
    *stored = NonNull::new(tid).map(RawTid);
    drop(stored);
    Ok(Box::new(move || {
        // Taken out first, so that `is_current` does not wait for the join.
        let taken = slot.lock().take();
        if let Some(RawTid(tid)) = taken {
            // SAFETY: a thread made by erl_drv_thread_create, joined once (the identity was
            // taken out of its slot); its result pointer is not used (NULL is accepted).
            let _ = unsafe { sys::erl_drv_thread_join(tid.as_ptr(), ptr::null_mut()) };
        }
    }))
}

/// What a VM thread runs: the registry's body, from the box `start` leaked.
unsafe extern "C" fn entry(arg: *mut c_void) -> *mut c_void {
    // SAFETY: `arg` is the `Box<Body>` that `start` leaked for this thread alone.
    let body = unsafe { Box::from_raw(arg.cast::<Body>()) };
    // The body catches the closure's panics; this catches anything else (the drop of what
    // it owned), since no unwind may reach the VM's thread code.
    if let Err(payload) = catch_unwind(AssertUnwindSafe(body)) {
        crate::panic::drop_quietly(payload);
    }
    ptr::null_mut()
}

thread_local! {
    /// On a thread of [`spawn`]: the type its closure returns, which [`exit`] must be given.
    static EXIT_TYPE: Cell<Option<(TypeId, &'static str)>> = const { Cell::new(None) };
}

/// The payload [`exit`] unwinds with.
struct Exit(Box<dyn Any + Send>);

/// Runs a thread's closure, turning an [`exit`] into its result.
fn run_with_exit<T: Send + 'static>(f: impl FnOnce() -> T) -> T {
    EXIT_TYPE.with(|t| t.set(Some((TypeId::of::<T>(), std::any::type_name::<T>()))));
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(value) => value,
        Err(payload) => match payload.downcast::<Exit>() {
            // `exit` checked the type before unwinding.
            Ok(exit) => match exit.0.downcast::<T>() {
                Ok(value) => *value,
                Err(other) => resume_unwind(other),
            },
            Err(panic) => resume_unwind(panic),
        },
    }
}

/// Ends the current VM thread with `value` as its result, which [`JoinHandle::join`]
/// returns: the sound form of `erl_drv_thread_exit`.
///
/// It unwinds the thread's stack up to its closure as a panic does, so that every value
/// on the way is dropped (locks released, memory freed), but without the panic hook's
/// message. A `catch_unwind` on the way stops it, as it stops a panic.
///
/// ```no_run
/// use erldrv::drv_thread;
///
/// fn search(depth: u32) -> u32 {
///     if depth == 3 {
///         // Found: the thread ends here with 3.
///         drv_thread::exit(depth);
///     }
///     search(depth + 1)
/// }
///
/// let h = drv_thread::spawn("search", |_stop| search(0))?;
/// assert_eq!(h.join().unwrap(), 3);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Panics
/// When the current thread was not started by [`spawn`] or [`Builder::spawn`] (where
/// `erl_drv_thread_exit` would abort the VM), or when `T` is not the type the thread's
/// closure returns.
pub fn exit<T: Send + 'static>(value: T) -> ! {
    match EXIT_TYPE.with(Cell::get) {
        None => {
            panic!("erldrv::drv_thread::exit called on a thread not started by erldrv::drv_thread")
        }
        Some((id, name)) if id != TypeId::of::<T>() => panic!(
            "erldrv::drv_thread::exit called with a {} on a thread whose result is a {name}",
            std::any::type_name::<T>()
        ),
        Some(_) => resume_unwind(Box::new(Exit(Box::new(value)))),
    }
}

/// A VM thread started with [`spawn`] or [`Builder::spawn`]: stop it, wait for it, take
/// its result. Dropping it neither stops nor detaches the thread (see the [module
/// documentation](self)).
///
/// ```no_run
/// let h = erldrv::drv_thread::spawn("greeter", |_stop| "hello")?;
/// assert_eq!(h.name(), "greeter");
/// assert_eq!(h.join().unwrap(), "hello");
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct JoinHandle<T> {
    inner: crate::thread::JoinHandle<T>,
    tid: Arc<TidSlot>,
}

impl<T> JoinHandle<T> {
    /// The thread's name, as given to [`Builder::name`] (`"unnamed VM thread"` without).
    ///
    /// ```no_run
    /// let h = erldrv::drv_thread::spawn("named", |_| ())?;
    /// assert_eq!(h.name(), "named");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn name(&self) -> &str {
        self.inner.name()
    }

    /// Asks the thread to stop: its [`StopToken`] reports stopped and its waits end. Does
    /// not wait for it.
    ///
    /// ```no_run
    /// let h = erldrv::drv_thread::spawn("idle", |stop| stop.wait())?;
    /// h.stop();
    /// h.join().unwrap();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn stop(&self) {
        self.inner.stop();
    }

    /// Whether the thread's closure has returned (or panicked, or called [`exit`]).
    ///
    /// ```no_run
    /// let h = erldrv::drv_thread::spawn("quick", |_| ())?;
    /// while !h.is_finished() {
    ///     std::thread::yield_now();
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn is_finished(&self) -> bool {
        self.inner.is_finished()
    }

    /// Whether the calling thread is this handle's thread (`erl_drv_equal_tids` with
    /// `erl_drv_thread_self`). False once the thread has been joined.
    ///
    /// ```no_run
    /// let h = erldrv::drv_thread::spawn("other", |stop| stop.wait())?;
    /// assert!(!h.is_current());
    /// h.stop_and_join().unwrap();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn is_current(&self) -> bool {
        let slot = self.tid.lock();
        let Some(RawTid(tid)) = slot.as_ref() else {
            return false;
        };
        let me = current();
        // SAFETY: both identities are alive: this handle's thread is not joined while its
        // slot (locked here) holds it, and `me` is the calling thread's.
        unsafe { sys::erl_drv_equal_tids(tid.as_ptr(), me.tid.as_ptr()) != 0 }
    }

    /// Waits for the thread to finish and returns its closure's result (or the value given
    /// to [`exit`]), or `Err` with the panic payload if it panicked. Does not ask it to
    /// stop: see [`stop_and_join`](JoinHandle::stop_and_join).
    ///
    /// ```no_run
    /// let h = erldrv::drv_thread::spawn("fails", |_| -> u8 { panic!("no") })?;
    /// assert!(h.join().is_err());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn join(self) -> std::thread::Result<T> {
        self.inner.join()
    }

    /// [`stop`](JoinHandle::stop), then [`join`](JoinHandle::join).
    ///
    /// ```no_run
    /// let h = erldrv::drv_thread::spawn("loop", |stop| {
    ///     let mut n = 0u32;
    ///     while !stop.is_stopped() {
    ///         n = n.wrapping_add(1);
    ///     }
    ///     n
    /// })?;
    /// let _rounds = h.stop_and_join().unwrap();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn stop_and_join(self) -> std::thread::Result<T> {
        self.inner.stop_and_join()
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("JoinHandle").field(&self.inner).finish()
    }
}

/// The calling thread as the VM knows it (`erl_drv_thread_self`). It stays on its thread
/// (it is neither `Send` nor `Sync`), where its identity is alive.
///
/// ```no_run
/// let me = erldrv::drv_thread::current();
/// // "unknown" on a thread the VM did not start with a name.
/// println!("running on {}", me.name());
/// assert!(me == erldrv::drv_thread::current());
/// ```
pub struct Current {
    tid: NonNull<sys::ErlDrvTid_>,
    _here: PhantomData<*mut ()>,
}

/// The calling thread as the VM knows it; see [`Current`].
///
/// ```no_run
/// let name = erldrv::drv_thread::current().name();
/// # drop(name);
/// ```
pub fn current() -> Current {
    // SAFETY: thread-safe; the VM makes an identity for a thread it did not start.
    let tid = unsafe { sys::erl_drv_thread_self() };
    Current {
        tid: NonNull::new(tid).expect("the VM gives every thread an identity"),
        _here: PhantomData,
    }
}

impl Current {
    /// The thread's name as the VM keeps it (`erl_drv_thread_name`): the name given to
    /// [`Builder::name`], whole, or `unknown` for a thread started without one or not by
    /// the VM's thread functions.
    ///
    /// ```no_run
    /// let h = erldrv::drv_thread::spawn("a rather long thread name", |_| {
    ///     erldrv::drv_thread::current().name()
    /// })?;
    /// assert_eq!(h.join().unwrap(), "a rather long thread name");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn name(&self) -> String {
        // SAFETY: the identity of the calling thread, alive while it runs.
        let name = unsafe { sys::erl_drv_thread_name(self.tid.as_ptr()) };
        if name.is_null() {
            return String::new();
        }
        // SAFETY: the VM's NUL-terminated copy of the name, kept with the identity.
        unsafe { CStr::from_ptr(name) }
            .to_string_lossy()
            .into_owned()
    }
}

impl PartialEq for Current {
    fn eq(&self, other: &Current) -> bool {
        // SAFETY: both are identities of the calling thread, alive while it runs.
        unsafe { sys::erl_drv_equal_tids(self.tid.as_ptr(), other.tid.as_ptr()) != 0 }
    }
}

impl fmt::Debug for Current {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Current")
            .field("name", &self.name())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_sizes_are_kilowords_rounded_up() {
        assert_eq!(kilowords(0).unwrap(), 0);
        assert_eq!(kilowords(1).unwrap(), 1);
        assert_eq!(kilowords(1024 * WORD).unwrap(), 1);
        assert_eq!(kilowords(1024 * WORD + 1).unwrap(), 2);
        assert_eq!(
            kilowords(usize::MAX).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
    }

    #[test]
    fn a_nul_in_a_name_is_an_error() {
        assert_eq!(
            c_string("a\0b").unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
    }

    #[test]
    fn exit_ends_the_closure_with_its_value() {
        let v = std::thread::spawn(|| run_with_exit(|| -> u32 { exit(7u32) }))
            .join()
            .unwrap();
        assert_eq!(v, 7);
    }

    #[test]
    fn exit_runs_destructors() {
        struct Flag(Arc<std::sync::atomic::AtomicBool>);
        impl Drop for Flag {
            fn drop(&mut self) {
                self.0.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        }
        let dropped = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let d = Arc::clone(&dropped);
        std::thread::spawn(move || {
            run_with_exit::<()>(move || {
                let _f = Flag(d);
                exit(())
            })
        })
        .join()
        .unwrap();
        assert!(dropped.load(std::sync::atomic::Ordering::SeqCst));
    }

    #[test]
    fn exit_with_the_wrong_type_is_a_panic() {
        let r = std::thread::spawn(|| catch_unwind(|| run_with_exit(|| -> u32 { exit("text") })))
            .join()
            .unwrap();
        let payload = r.unwrap_err();
        let message = crate::panic::panic_message(&*payload);
        assert!(message.contains("whose result is a u32"), "{message}");
    }

    #[test]
    fn exit_outside_a_drv_thread_is_a_panic() {
        let r = std::thread::spawn(|| catch_unwind(|| exit(1u8)))
            .join()
            .unwrap();
        let payload = r.unwrap_err();
        assert!(crate::panic::panic_message(&*payload).contains("not started by"));
    }

    #[test]
    fn a_panic_goes_through_unchanged() {
        let r = std::thread::spawn(|| catch_unwind(|| run_with_exit(|| -> u8 { panic!("boom") })))
            .join()
            .unwrap();
        assert_eq!(crate::panic::panic_message(&*r.unwrap_err()), "boom");
    }
}
