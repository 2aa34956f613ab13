//! The driver queue: [`Port::queue`] on the port's scheduler thread, [`Port::queue_handle`]
//! for other threads, both giving a [`QueueGuard`] that reads the queued bytes in place
//! ([`QueueGuard::slices`], ready for `writev`) and adds and removes them.
//!
//! Every port has a queue of bytes, kept by the VM as a list of reference-counted binaries:
//! a port does not close while it holds data (the VM calls [`flush`](crate::Driver::flush)
//! and waits), and `port_info(Port, queue_size)` reports its size. The VM lets other threads
//! use the queue once the port has a port data lock (`driver_pdl_create`), on the condition
//! that from then on every queue operation, the scheduler's too, holds that lock; a guard is
//! the lock held.

use core::ffi::c_int;
use core::fmt;
use core::ptr::NonNull;
use core::slice;
use std::io::IoSlice;
use std::sync::Arc;

use erldrv_sys as sys;

use crate::binary::Binary;
use crate::iovec::IoVecLike;
use crate::pdl::PortDataLock;
use crate::port::{Port, c_bytes};
use crate::state::PortMeta;

// `QueueGuard::slices` hands out the VM's `SysIOVec` array as `IoSlice`s, which std
// guarantees to be laid out as `struct iovec` on Unix, as `SysIOVec` is (erldrv-sys checks
// that against the header).
const _: () = assert!(size_of::<IoSlice<'_>>() == size_of::<sys::SysIOVec>());
const _: () = assert!(align_of::<IoSlice<'_>>() == align_of::<sys::SysIOVec>());

/// The driver queue, locked: read it in place, add to it and remove from it. Made by
/// [`Port::queue`] in a callback or by [`QueueHandle::lock`] on any thread; dropping it
/// unlocks.
///
/// While a guard is alive no one else changes the queue: the port's other code cannot reach
/// it, and other threads wait for the port data lock. So the slices of
/// [`slices`](QueueGuard::slices) point straight at the queued binaries, and only the
/// methods taking `&mut self` can invalidate them.
///
/// Keep guards short: while one is held, the other threads of the port, its callbacks that
/// use the queue, and the VM (which locks the queue while a port closes, and in its monitor
/// functions) wait. A guard cannot be sent to another thread (the lock is unlocked where it
/// was locked).
///
/// Draining the queue into a descriptor, without copying:
///
/// ```no_run
/// # use erldrv::Port;
/// # fn f(port: &Port, out: &mut std::fs::File) -> std::io::Result<()> {
/// use std::io::Write;
///
/// let mut queue = port.queue();
/// while !queue.is_empty() {
///     let n = out.write_vectored(queue.slices())?;
///     queue.dequeue(n);
/// }
/// # Ok(()) }
/// ```
pub struct QueueGuard<'a> {
    held: Held<'a>,
}

/// What a [`QueueGuard`] holds. The bookkeeping is a pointer, as in `Port`: it makes a
/// guard of either kind neither `Send` nor `Sync` (the lock must be unlocked on the thread
/// that locked it), and the compiler gives that one reason.
enum Held<'a> {
    /// From [`Port::queue`]: the port's bookkeeping, lent for `'a` (the raw port, and the
    /// borrow flag the guard clears), and the port data lock if the port has one.
    Callback(NonNull<PortMeta>, Option<&'a PortDataLock>),
    /// From [`QueueHandle::lock`]: the port data lock, entered through its gate.
    Handle(&'a PortDataLock),
}

impl QueueGuard<'_> {
    /// The port whose queue this is.
    fn port(&self) -> sys::ErlDrvPort {
        match self.held {
            // SAFETY: lent for the guard's lifetime by `Port::queue`, on this thread.
            Held::Callback(meta, _) => unsafe { meta.as_ref() }.raw,
            Held::Handle(lock) => lock.port(),
        }
    }

    /// Bytes in the queue (`driver_sizeq`).
    pub fn len(&self) -> usize {
        // SAFETY: the guard holds the queue of a live port (see `QueueGuard`).
        let n = unsafe { sys::driver_sizeq(self.port()) };
        // (size_t)-1 is the VM's answer for a port that is gone, which a guard rules out.
        if n == usize::MAX { 0 } else { n }
    }

    /// Whether the queue holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The queued bytes in order, as the VM keeps them (`driver_peekq`): one slice per
    /// queued binary (or part of one), pointing into the binaries themselves. Nothing is
    /// copied; the slices stay valid until the guard is changed or dropped.
    ///
    /// Hand them to `writev` ([`Write::write_vectored`](std::io::Write::write_vectored)),
    /// then [`dequeue`](QueueGuard::dequeue) what was written. To take at most `n` bytes,
    /// walk the slices and cut the last one (`IoSlice::new(&slice[..k])`).
    pub fn slices(&self) -> &[IoSlice<'_>] {
        let mut count: c_int = 0;
        // SAFETY: the guard holds the queue of a live port; valid out-pointer.
        let iov = unsafe { sys::driver_peekq(self.port(), &mut count) };
        let Ok(count) = usize::try_from(count) else {
            return &[];
        };
        if iov.is_null() || count == 0 {
            return &[];
        }
        // SAFETY: the VM returned `count` entries, each describing bytes of a binary the
        // queue holds a reference to, with a length above zero (it skips empty segments
        // and drops consumed ones). They stay put while the guard is borrowed: only `&mut
        // self` methods change this queue, and nobody else can while the guard lives.
        // `IoSlice` has the layout of `SysIOVec` (checked above, and guaranteed by std).
        unsafe { slice::from_raw_parts(iov.cast::<IoSlice<'_>>(), count) }
    }

    /// Appends a copy of `bytes` to the queue (`driver_enq`).
    pub fn enqueue(&mut self, bytes: &[u8]) {
        // SAFETY: the guard holds the queue of a live port; the VM copies the bytes.
        unsafe { sys::driver_enq(self.port(), c_bytes(bytes), bytes.len()) };
    }

    /// Appends `len` bytes of `binary` from `offset` to the queue without copying them
    /// (`driver_enq_bin`): the queue takes its own reference to the binary.
    ///
    /// A range outside the binary is refused ([`QueueError::OutOfRange`]) and nothing is
    /// queued, as with [`push_binary`](QueueGuard::push_binary): the VM itself does not
    /// check.
    ///
    /// ```no_run
    /// # use erldrv::{Binary, Port, QueueError};
    /// # fn f(port: &Port) -> Result<(), QueueError> {
    /// let bin = Binary::from_slice(b"header:payload");
    /// // Queues "payload", sharing the binary's bytes.
    /// port.queue().enqueue_binary(&bin, 7, 7)?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`QueueError::OutOfRange`] when `offset + len` is beyond the end of the binary;
    /// [`QueueError::Refused`] when the VM could not queue it.
    pub fn enqueue_binary(
        &mut self,
        binary: &Binary,
        offset: usize,
        len: usize,
    ) -> Result<(), QueueError> {
        check_range(offset, len, binary.len())?;
        // SAFETY: the guard holds the queue of a live port; range checked; the queue takes
        // its own reference.
        refused_if_negative(unsafe {
            sys::driver_enq_bin(self.port(), binary.as_raw(), offset, len)
        })
    }

    /// Puts a copy of `bytes` at the front of the queue (`driver_pushq`), before everything
    /// queued: the next bytes [`slices`](QueueGuard::slices) shows and
    /// [`dequeue`](QueueGuard::dequeue) removes. The way to put back the part of a
    /// message that a write could not take.
    ///
    /// ```no_run
    /// # use erldrv::Port;
    /// # fn f(port: &Port) {
    /// let mut queue = port.queue();
    /// queue.enqueue(b"world");
    /// queue.push(b"hello ");
    /// // The queue now holds "hello world".
    /// # }
    /// ```
    pub fn push(&mut self, bytes: &[u8]) {
        // SAFETY: the guard holds the queue of a live port; the VM copies the bytes.
        unsafe { sys::driver_pushq(self.port(), c_bytes(bytes), bytes.len()) };
    }

    /// Puts `len` bytes of `binary` from `offset` at the front of the queue without copying
    /// them (`driver_pushq_bin`): the queue takes its own reference to the binary.
    ///
    /// A range outside the binary is refused ([`QueueError::OutOfRange`]) and nothing is
    /// queued: the VM itself does not check, and would queue bytes that are not the
    /// binary's.
    ///
    /// ```no_run
    /// # use erldrv::{Binary, Port, QueueError};
    /// # fn f(port: &Port) -> Result<(), QueueError> {
    /// let header = Binary::from_slice(b"--header--");
    /// let mut queue = port.queue();
    /// queue.push_binary(&header, 2, 6)?; // "header", first in the queue
    /// assert!(queue.push_binary(&header, 8, 3).is_err()); // 8 + 3 > 10
    /// # Ok(()) }
    /// ```
    pub fn push_binary(
        &mut self,
        binary: &Binary,
        offset: usize,
        len: usize,
    ) -> Result<(), QueueError> {
        check_range(offset, len, binary.len())?;
        // SAFETY: the guard holds the queue of a live port; range checked; the queue takes
        // its own reference.
        let rc = unsafe { sys::driver_pushq_bin(self.port(), binary.as_raw(), offset, len) };
        refused_if_negative(rc)
    }

    /// Appends the bytes of `data` from byte `skip` on to the queue (`driver_enqv`),
    /// sharing the binaries they live in rather than copying them (the queue takes a
    /// reference on each; bytes that live in no binary are copied). `data` is the
    /// [`IoVec`](crate::IoVec) of an [`outputv`](crate::Driver::outputv), or an
    /// [`OwnedIoVec`](crate::OwnedIoVec) kept from one, say on another thread.
    ///
    /// A `skip` beyond the data is refused ([`QueueError::SkipBeyondEnd`]) and nothing is
    /// queued; a `skip` of exactly its length queues nothing.
    ///
    /// ```no_run
    /// # use erldrv::{IoVec, Port, QueueError};
    /// # fn f(port: &Port, data: IoVec<'_>, written: usize) -> Result<(), QueueError> {
    /// // In `outputv`: what a write could not take waits in the queue, by reference.
    /// port.queue().enqueue_iovec(&data, written)?;
    /// # Ok(()) }
    /// ```
    pub fn enqueue_iovec(&mut self, data: &impl IoVecLike, skip: usize) -> Result<(), QueueError> {
        let port = self.port();
        with_erl_iovec(data, skip, |ev| {
            // SAFETY: the guard holds the queue of a live port; `ev` describes live bytes of
            // `data` (borrowed for this call) and the binaries they live in, on which the
            // queue takes its own references; skip is within its size.
            unsafe { sys::driver_enqv(port, ev, skip) }
        })
    }

    /// Puts the bytes of `data` from byte `skip` on at the front of the queue
    /// (`driver_pushqv`), in their order and before everything queued, sharing their
    /// binaries as [`enqueue_iovec`](QueueGuard::enqueue_iovec) does.
    ///
    /// A `skip` beyond the data is refused ([`QueueError::SkipBeyondEnd`]) and nothing is
    /// queued.
    ///
    /// ```no_run
    /// # use erldrv::{OwnedIoVec, QueueError, QueueHandle};
    /// # fn f(queue: &QueueHandle, urgent: &OwnedIoVec) -> Result<(), QueueError> {
    /// // On another thread: an urgent message goes before what is waiting.
    /// if let Some(mut q) = queue.lock() {
    ///     q.push_iovec(urgent, 0)?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn push_iovec(&mut self, data: &impl IoVecLike, skip: usize) -> Result<(), QueueError> {
        let port = self.port();
        with_erl_iovec(data, skip, |ev| {
            // SAFETY: as in `enqueue_iovec`.
            unsafe { sys::driver_pushqv(port, ev, skip) }
        })
    }

    /// Removes `n` bytes (at most all of them) from the front of the queue (`driver_deq`),
    /// dropping the queue's references to binaries it no longer needs; returns the number
    /// of bytes left.
    pub fn dequeue(&mut self, n: usize) -> usize {
        let n = n.min(self.len());
        // SAFETY: the guard holds the queue of a live port; `n` is within the queue.
        let left = unsafe { sys::driver_deq(self.port(), n) };
        if left == usize::MAX { 0 } else { left }
    }
}

/// `Err(OutOfRange)` unless `offset..offset + len` lies within `size` bytes.
fn check_range(offset: usize, len: usize, size: usize) -> Result<(), QueueError> {
    match offset.checked_add(len) {
        Some(end) if end <= size => Ok(()),
        _ => Err(QueueError::OutOfRange { offset, len, size }),
    }
}

/// The VM's queue functions answer -1 when they cannot (out of memory).
fn refused_if_negative(rc: c_int) -> Result<(), QueueError> {
    if rc < 0 {
        Err(QueueError::Refused)
    } else {
        Ok(())
    }
}

/// Checks `skip`, builds the VM's vector of `data` and hands it to `queue` (`driver_enqv`
/// or `driver_pushqv`), which trims the vector's first entries in place: a copy of ours,
/// never the data.
fn with_erl_iovec(
    data: &impl IoVecLike,
    skip: usize,
    queue: impl FnOnce(*mut sys::ErlIOVec) -> c_int,
) -> Result<(), QueueError> {
    let mut raw = data.raw();
    let size = raw.size();
    if skip > size {
        return Err(QueueError::SkipBeyondEnd { skip, size });
    }
    // The VM queues nothing then, and its skip loop expects bytes to skip into.
    if skip == size {
        return Ok(());
    }
    let mut ev = raw.as_erl_iovec().ok_or(QueueError::Refused)?;
    refused_if_negative(queue(&mut ev))
}

/// Why the driver queue refused data: nothing of it was queued.
///
/// ```
/// use erldrv::QueueError;
///
/// let e = QueueError::OutOfRange { offset: 8, len: 3, size: 10 };
/// assert_eq!(e.to_string(), "bytes 8..11 are outside the 10 bytes of the binary");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum QueueError {
    /// `offset + len` is beyond the binary's `size` bytes (or overflows).
    OutOfRange {
        /// The first byte asked for.
        offset: usize,
        /// How many bytes were asked for.
        len: usize,
        /// The binary's length.
        size: usize,
    },
    /// `skip` is beyond the I/O vector's `size` bytes.
    SkipBeyondEnd {
        /// The bytes to skip.
        skip: usize,
        /// The vector's length.
        size: usize,
    },
    /// The VM could not queue the data (it is out of memory), or the vector has more
    /// segments than the VM can count (`i32::MAX`).
    Refused,
}

impl fmt::Display for QueueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            QueueError::OutOfRange { offset, len, size } => match offset.checked_add(len) {
                Some(end) => write!(
                    f,
                    "bytes {offset}..{end} are outside the {size} bytes of the binary"
                ),
                None => write!(
                    f,
                    "{len} bytes from offset {offset} overflow; the binary has {size} bytes"
                ),
            },
            QueueError::SkipBeyondEnd { skip, size } => write!(
                f,
                "cannot skip {skip} bytes of an I/O vector of {size} bytes"
            ),
            QueueError::Refused => f.write_str("the VM could not queue the data"),
        }
    }
}

impl std::error::Error for QueueError {}

impl Drop for QueueGuard<'_> {
    fn drop(&mut self) {
        match self.held {
            Held::Callback(meta, lock) => {
                if let Some(lock) = lock {
                    // SAFETY: this guard locked it, on this thread (a guard is neither Send
                    // nor Sync).
                    unsafe { lock.unlock() };
                }
                // SAFETY: lent for the guard's lifetime by `Port::queue`, on this thread.
                unsafe { meta.as_ref() }.set_queue_borrowed(false);
            }
            Held::Handle(lock) => {
                // SAFETY: as above.
                unsafe { lock.unlock() };
                // Out of the gate once unlocked, so that `stop` can take the lock away.
                lock.leave();
            }
        }
    }
}

impl fmt::Debug for QueueGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueueGuard")
            .field("len", &self.len())
            .field("segments", &self.slices().len())
            .finish()
    }
}

/// The driver queue of a port for other threads (`Send + Sync + Clone`): an async job, an
/// [`erldrv::thread`](crate::thread), any thread. Made in a callback by
/// [`Port::queue_handle`].
///
/// [`lock`](QueueHandle::lock) waits for the port data lock and returns a [`QueueGuard`],
/// or `None` once the port has closed: the framework takes the queue away from handles in
/// [`stop`](crate::Driver::stop) (after the driver's own `stop`, waiting for a guard that
/// is alive), before the VM clears the queue. A handle kept after that is harmless and
/// holds nothing of the VM's: dropping it late does not delay unloading the driver.
///
/// A thread that enqueues while the port is closing keeps it open (the VM waits for the
/// queue to empty): the driver's [`flush`](crate::Driver::flush) and the callbacks after
/// it must drain what arrives.
///
/// ```no_run
/// # use erldrv::Port;
/// # fn f(port: &Port) -> std::io::Result<()> {
/// let queue = port.queue_handle();
/// erldrv::thread::spawn("producer", move |stop| {
///     while !stop.is_stopped() {
///         let Some(mut q) = queue.lock() else {
///             return; // the port has closed
///         };
///         q.enqueue(b"data from the producer");
///         drop(q);
///         stop.wait_timeout(std::time::Duration::from_millis(10));
///     }
/// })?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct QueueHandle {
    /// `None` for a handle made in `stop`, which never locks.
    lock: Option<Arc<PortDataLock>>,
}

impl QueueHandle {
    /// Locks the port's queue for this thread, waiting while someone else holds it; `None`
    /// once the port has closed.
    ///
    /// # Panics
    /// When this thread already holds the queue (a guard of this port is alive here): the
    /// lock is not reentrant, and locking again would never return.
    pub fn lock(&self) -> Option<QueueGuard<'_>> {
        let lock = self.lock.as_deref()?;
        if !lock.lock_from_anywhere() {
            return None;
        }
        Some(QueueGuard {
            held: Held::Handle(lock),
        })
    }
}

impl fmt::Debug for QueueHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueueHandle")
            .field("lock", &self.lock)
            .finish()
    }
}

impl Port<'_> {
    /// Locks the driver queue for this callback: a [`QueueGuard`] to read the queued bytes
    /// in place ([`slices`](QueueGuard::slices)) and add and remove bytes. Without a
    /// [`queue_handle`](Port::queue_handle) no other thread can reach the queue and there
    /// is nothing to wait for; with one, this waits for the port data lock.
    ///
    /// # Panics
    /// When a guard of this port is alive on this thread already (one from `queue`, or from
    /// [`QueueHandle::lock`]): use that one.
    pub fn queue(&self) -> QueueGuard<'_> {
        let meta = self.meta();
        assert!(
            !meta.queue_borrowed(),
            "Port::queue: the driver queue is already borrowed by a QueueGuard in this \
             callback; use that guard"
        );
        let lock = meta.queue_lock().map(|lock| {
            // SAFETY: in a callback of this live port (queue_lock is revoked in `stop`
            // only after the driver's code has returned).
            unsafe { lock.lock_in_callback() };
            &**lock
        });
        meta.set_queue_borrowed(true);
        QueueGuard {
            held: Held::Callback(NonNull::from(meta), lock),
        }
    }

    /// A [`QueueHandle`]: the driver queue for other threads. The first call creates the
    /// port's data lock (`driver_pdl_create`); from then on every queue operation takes it,
    /// on the scheduler too ([`queue`](Port::queue) and the methods built on it).
    ///
    /// Made in [`stop`](crate::Driver::stop), the handle is closed already (its `lock`
    /// returns `None`): the port is going away.
    ///
    /// # Panics
    /// While a guard from [`queue`](Port::queue) is alive in this callback (it may hold
    /// slices that the other thread could invalidate), or if the VM refuses to create the
    /// lock (it does when the port already has one, made through [`sys`](crate::sys)).
    pub fn queue_handle(&self) -> QueueHandle {
        let meta = self.meta();
        assert!(
            !meta.queue_borrowed(),
            "Port::queue_handle: the driver queue is borrowed by a QueueGuard in this \
             callback; drop the guard first"
        );
        if meta.stopped() {
            return QueueHandle { lock: None };
        }
        let lock = meta.queue_lock_or_create().expect(
            "Port::queue_handle: the VM refused to create the port data lock \
             (driver_pdl_create); was one made through erldrv::sys?",
        );
        QueueHandle {
            lock: Some(Arc::clone(lock)),
        }
    }

    /// Appends a copy of `bytes` to the driver queue (`driver_enq`). While the queue is not
    /// empty a closing port calls [`flush`](crate::Driver::flush) before `stop`.
    ///
    /// # Panics
    /// While this thread holds a [`QueueGuard`] of the port: use the guard.
    pub fn enqueue(&self, bytes: &[u8]) {
        self.queue().enqueue(bytes);
    }

    /// Appends `len` bytes of `binary` from `offset` to the driver queue without copying
    /// (`driver_enq_bin`), as [`QueueGuard::enqueue_binary`] does.
    ///
    /// # Errors
    /// As [`QueueGuard::enqueue_binary`]: a range outside the binary queues nothing.
    ///
    /// # Panics
    /// While this thread holds a [`QueueGuard`] of the port.
    pub fn enqueue_binary(
        &self,
        binary: &Binary,
        offset: usize,
        len: usize,
    ) -> Result<(), QueueError> {
        self.queue().enqueue_binary(binary, offset, len)
    }

    /// Puts a copy of `bytes` at the front of the driver queue (`driver_pushq`); see
    /// [`QueueGuard::push`].
    ///
    /// ```no_run
    /// # use erldrv::Port;
    /// # fn f(port: &Port) {
    /// port.enqueue(b"body");
    /// port.push(b"head:"); // the queue holds "head:body"
    /// # }
    /// ```
    ///
    /// # Panics
    /// While this thread holds a [`QueueGuard`] of the port: use the guard.
    pub fn push(&self, bytes: &[u8]) {
        self.queue().push(bytes);
    }

    /// Puts `len` bytes of `binary` from `offset` at the front of the driver queue without
    /// copying (`driver_pushq_bin`); see [`QueueGuard::push_binary`].
    ///
    /// ```no_run
    /// # use erldrv::{Badarg, Binary, Port};
    /// # fn f(port: &Port, frame: &Binary) -> Result<(), Badarg> {
    /// port.push_binary(frame, 0, frame.len())
    ///     .map_err(|e| Badarg::because(e.to_string()))?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Panics
    /// While this thread holds a [`QueueGuard`] of the port: use the guard.
    pub fn push_binary(
        &self,
        binary: &Binary,
        offset: usize,
        len: usize,
    ) -> Result<(), QueueError> {
        self.queue().push_binary(binary, offset, len)
    }

    /// Appends `data` from byte `skip` on to the driver queue, its binaries shared
    /// (`driver_enqv`); see [`QueueGuard::enqueue_iovec`].
    ///
    /// ```no_run
    /// # use erldrv::{IoVec, Port};
    /// # fn outputv(port: &Port, data: IoVec<'_>) {
    /// // Everything but a 4-byte header waits in the queue, its binaries shared.
    /// if port.enqueue_iovec(&data, 4).is_err() {
    ///     port.output(b"short message");
    /// }
    /// # }
    /// ```
    ///
    /// # Panics
    /// While this thread holds a [`QueueGuard`] of the port: use the guard.
    pub fn enqueue_iovec(&self, data: &impl IoVecLike, skip: usize) -> Result<(), QueueError> {
        self.queue().enqueue_iovec(data, skip)
    }

    /// Puts `data` from byte `skip` on at the front of the driver queue, its binaries
    /// shared (`driver_pushqv`); see [`QueueGuard::push_iovec`].
    ///
    /// ```no_run
    /// # use erldrv::{OwnedIoVec, Port, QueueError};
    /// # fn f(port: &Port, unsent: &OwnedIoVec) -> Result<(), QueueError> {
    /// port.push_iovec(unsent, 0)?; // back in front of what is queued
    /// # Ok(()) }
    /// ```
    ///
    /// # Panics
    /// While this thread holds a [`QueueGuard`] of the port: use the guard.
    pub fn push_iovec(&self, data: &impl IoVecLike, skip: usize) -> Result<(), QueueError> {
        self.queue().push_iovec(data, skip)
    }

    /// Removes `n` bytes (at most all of them) from the front of the driver queue
    /// (`driver_deq`); returns the number of bytes left.
    ///
    /// # Panics
    /// While this thread holds a [`QueueGuard`] of the port: use the guard.
    pub fn dequeue(&self, n: usize) -> usize {
        self.queue().dequeue(n)
    }

    /// Bytes in the driver queue (`driver_sizeq`).
    ///
    /// # Panics
    /// While this thread holds a [`QueueGuard`] of the port: use the guard.
    pub fn queue_len(&self) -> usize {
        self.queue().len()
    }

    /// Copies the whole driver queue into a `Vec`, leaving it queued.
    ///
    /// # Panics
    /// While this thread holds a [`QueueGuard`] of the port.
    #[deprecated(
        since = "0.1.0",
        note = "copies the whole queue at every call (quadratic when draining it in steps); \
                read it in place with `port.queue().slices()`"
    )]
    pub fn peek_queue(&self) -> Vec<u8> {
        let queue = self.queue();
        let mut out = Vec::with_capacity(queue.len());
        for s in queue.slices() {
            out.extend_from_slice(s);
        }
        out
    }
}
