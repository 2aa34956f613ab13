//! Memory from the VM's own allocator (`driver_alloc`, `driver_realloc`, `driver_free`):
//! [`DriverBuf`], a growable byte buffer, and [`DriverAllocator`], a Rust global allocator.
//!
//! Memory taken this way is the VM's to account for: it shows in `erlang:memory(system)`,
//! in `erlang:system_info({allocator, driver_alloc})` and `instrument`, and in crash
//! dumps, where `malloc`'s memory is invisible. The functions are thread-safe: any thread
//! may allocate, and any thread may free what another allocated.
//!
//! Facts from the VM this relies on (checked on OTP 25.2.3): `driver_alloc` is the VM's
//! `driver_alloc` allocator (an `alloc_util` allocator unless disabled with `+MRe false`,
//! then `malloc`), whose blocks are aligned to 8 bytes on 64-bit systems (4 on 32-bit
//! ones), and no more: larger alignments are the framework's business. It returns NULL
//! when out of memory rather than stopping the VM, and `driver_realloc` then leaves the
//! block as it was.

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;
use core::ops::{Deref, DerefMut};
use core::ptr::{self, NonNull};
use core::{fmt, slice};
use std::io;

use erldrv_sys as sys;

/// The alignment every block of `driver_alloc` has: the VM's allocators align to 8 bytes
/// on 64-bit systems (the size of a word elsewhere).
pub(crate) const MIN_ALIGN: usize = if cfg!(target_pointer_width = "64") {
    8
} else {
    size_of::<usize>()
};

/// The VM could not allocate memory: it has none left, or the size asked for does not fit
/// in an address space. Nothing was allocated or changed.
///
/// ```
/// use erldrv::OutOfMemory;
///
/// fn describe(e: &OutOfMemory) -> String {
///     format!("{e}; {} bytes were asked for", e.requested())
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfMemory {
    requested: usize,
}

impl OutOfMemory {
    pub(crate) fn new(requested: usize) -> OutOfMemory {
        OutOfMemory { requested }
    }

    /// The number of bytes asked for (`usize::MAX` when the size overflowed).
    pub fn requested(&self) -> usize {
        self.requested
    }
}

impl fmt::Display for OutOfMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.requested == usize::MAX {
            f.write_str("the VM could not allocate memory: the size overflows")
        } else {
            write!(f, "the VM could not allocate {} bytes", self.requested)
        }
    }
}

impl std::error::Error for OutOfMemory {}

// ---------------------------------------------------------------------------
// DriverBuf
// ---------------------------------------------------------------------------

/// A growable byte buffer in memory from the VM's allocator (`driver_alloc`), as `Vec<u8>`
/// is in `malloc`'s: it dereferences to `[u8]`, grows with `driver_realloc`, and is freed
/// with `driver_free` when dropped. What it holds is counted by the VM
/// (`erlang:memory(system)`, the `driver_alloc` allocator) and shows in crash dumps.
///
/// `Send + Sync`: the VM's allocator may be called from any thread. Allocation failures
/// come back from the `try_` methods as [`OutOfMemory`]; the others panic then, as
/// `Vec` stops the process.
///
/// ```no_run
/// use std::io::Write;
/// use erldrv::DriverBuf;
///
/// let mut buf = DriverBuf::new();
/// buf.extend_from_slice(b"header:");
/// write!(buf, "{}", 42).unwrap();
/// buf.push(b'!');
/// assert_eq!(&buf[..], b"header:42!");
/// buf.truncate(6);
/// assert_eq!(&*buf, b"header");
/// ```
pub struct DriverBuf {
    /// `driver_alloc`'d block of `cap` bytes, or dangling when `cap` is 0.
    ptr: NonNull<u8>,
    len: usize,
    cap: usize,
}

// SAFETY: the buffer owns its block alone; driver_realloc and driver_free are thread-safe,
// so the block may be freed or grown on any thread.
unsafe impl Send for DriverBuf {}
// SAFETY: `&DriverBuf` only reads the bytes.
unsafe impl Sync for DriverBuf {}

impl DriverBuf {
    /// An empty buffer. Allocates nothing until bytes are added.
    ///
    /// ```no_run
    /// let buf = erldrv::DriverBuf::new();
    /// assert!(buf.is_empty());
    /// ```
    pub const fn new() -> DriverBuf {
        DriverBuf {
            ptr: NonNull::dangling(),
            len: 0,
            cap: 0,
        }
    }

    /// An empty buffer with room for `capacity` bytes.
    ///
    /// # Panics
    /// When the VM cannot allocate it (see [`try_with_capacity`](DriverBuf::try_with_capacity)).
    ///
    /// ```no_run
    /// let buf = erldrv::DriverBuf::with_capacity(4096);
    /// assert!(buf.capacity() >= 4096);
    /// ```
    pub fn with_capacity(capacity: usize) -> DriverBuf {
        DriverBuf::try_with_capacity(capacity).unwrap_or_else(|e| panic!("DriverBuf: {e}"))
    }

    /// An empty buffer with room for `capacity` bytes, or the VM's refusal.
    ///
    /// ```no_run
    /// # fn f() -> Result<(), erldrv::OutOfMemory> {
    /// let buf = erldrv::DriverBuf::try_with_capacity(64 << 20)?;
    /// # Ok(()) }
    /// ```
    pub fn try_with_capacity(capacity: usize) -> Result<DriverBuf, OutOfMemory> {
        let mut buf = DriverBuf::new();
        buf.set_capacity(capacity)?;
        Ok(buf)
    }

    /// A buffer holding a copy of `bytes`.
    ///
    /// # Panics
    /// When the VM cannot allocate it.
    ///
    /// ```no_run
    /// let buf = erldrv::DriverBuf::from_slice(b"abc");
    /// assert_eq!(&*buf, b"abc");
    /// ```
    pub fn from_slice(bytes: &[u8]) -> DriverBuf {
        let mut buf = DriverBuf::with_capacity(bytes.len());
        buf.extend_from_slice(bytes);
        buf
    }

    /// The number of bytes in the buffer.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the buffer holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The number of bytes the buffer can hold without growing.
    pub fn capacity(&self) -> usize {
        self.cap
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: `ptr` holds `len` initialized bytes (dangling and 0 when unallocated).
        unsafe { slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }

    /// The bytes, mutably.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: as in `as_slice`; `&mut self` makes the access unique.
        unsafe { slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }

    /// Makes room for at least `additional` more bytes, growing geometrically.
    ///
    /// # Panics
    /// When the VM cannot allocate the memory.
    pub fn reserve(&mut self, additional: usize) {
        self.try_reserve(additional)
            .unwrap_or_else(|e| panic!("DriverBuf: {e}"));
    }

    /// Makes room for at least `additional` more bytes, or returns the VM's refusal with
    /// the buffer unchanged.
    ///
    /// ```no_run
    /// let mut buf = erldrv::DriverBuf::new();
    /// assert!(buf.try_reserve(usize::MAX).is_err());
    /// assert!(buf.try_reserve(1 << 20).is_ok());
    /// ```
    pub fn try_reserve(&mut self, additional: usize) -> Result<(), OutOfMemory> {
        let needed = self.len.checked_add(additional).ok_or(OutOfMemory {
            requested: usize::MAX,
        })?;
        if needed <= self.cap {
            return Ok(());
        }
        // Doubling keeps pushes amortized O(1); small buffers start at 64 bytes.
        let grown = self.cap.saturating_mul(2).max(needed).max(64);
        if self.set_capacity(grown).is_ok() {
            return Ok(());
        }
        self.set_capacity(needed)
    }

    /// Appends one byte.
    ///
    /// # Panics
    /// When the VM cannot allocate the memory.
    pub fn push(&mut self, byte: u8) {
        self.reserve(1);
        // SAFETY: `reserve` made room for one more byte.
        unsafe { self.ptr.as_ptr().add(self.len).write(byte) };
        self.len += 1;
    }

    /// Appends a copy of `bytes`.
    ///
    /// # Panics
    /// When the VM cannot allocate the memory.
    pub fn extend_from_slice(&mut self, bytes: &[u8]) {
        self.reserve(bytes.len());
        // SAFETY: `reserve` made room; `bytes` cannot overlap the block, which only this
        // buffer reaches, and `&mut self` is held.
        unsafe {
            ptr::copy_nonoverlapping(bytes.as_ptr(), self.ptr.as_ptr().add(self.len), bytes.len())
        };
        self.len += bytes.len();
    }

    /// Sets the length to `new_len`, cutting the end off or filling new bytes with `value`.
    ///
    /// # Panics
    /// When the VM cannot allocate the memory.
    ///
    /// ```no_run
    /// let mut buf = erldrv::DriverBuf::from_slice(b"ab");
    /// buf.resize(4, b'-');
    /// assert_eq!(&*buf, b"ab--");
    /// ```
    pub fn resize(&mut self, new_len: usize, value: u8) {
        if new_len <= self.len {
            self.truncate(new_len);
            return;
        }
        let more = new_len - self.len;
        self.reserve(more);
        // SAFETY: `reserve` made room for `more` bytes past `len`.
        unsafe { self.ptr.as_ptr().add(self.len).write_bytes(value, more) };
        self.len = new_len;
    }

    /// Cuts the buffer to `len` bytes; no effect when it is not longer. Keeps the capacity.
    pub fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }

    /// Removes every byte; keeps the capacity.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Gives back the capacity beyond the length to the VM (`driver_realloc`, or
    /// `driver_free` for an empty buffer). A refusal of the VM leaves it as it was.
    pub fn shrink_to_fit(&mut self) {
        // A smaller block is never refused in practice; if it is, the larger one stays.
        let _ = self.set_capacity(self.len);
    }

    /// Reallocates the block to exactly `cap` bytes (`cap >= len`).
    fn set_capacity(&mut self, cap: usize) -> Result<(), OutOfMemory> {
        debug_assert!(cap >= self.len);
        // No allocation may exceed isize::MAX bytes (Rust's rule for slices).
        if isize::try_from(cap).is_err() {
            return Err(OutOfMemory { requested: cap });
        }
        if cap == self.cap {
            return Ok(());
        }
        if cap == 0 {
            // SAFETY: a block of ours (cap > 0 here), freed once: the pointer is reset.
            unsafe { sys::driver_free(self.ptr.as_ptr().cast::<c_void>()) };
            self.ptr = NonNull::dangling();
            self.cap = 0;
            return Ok(());
        }
        let raw = if self.cap == 0 {
            // SAFETY: driver_alloc is thread-safe; NULL on failure.
            unsafe { sys::driver_alloc(cap) }
        } else {
            // SAFETY: our block; on NULL it is left as it was (and still ours).
            unsafe { sys::driver_realloc(self.ptr.as_ptr().cast::<c_void>(), cap) }
        };
        let ptr = NonNull::new(raw.cast::<u8>()).ok_or(OutOfMemory { requested: cap })?;
        self.ptr = ptr;
        self.cap = cap;
        Ok(())
    }
}

impl Drop for DriverBuf {
    fn drop(&mut self) {
        if self.cap != 0 {
            // SAFETY: our block, freed once.
            unsafe { sys::driver_free(self.ptr.as_ptr().cast::<c_void>()) };
        }
    }
}

impl Default for DriverBuf {
    fn default() -> DriverBuf {
        DriverBuf::new()
    }
}

impl Clone for DriverBuf {
    fn clone(&self) -> DriverBuf {
        DriverBuf::from_slice(self)
    }
}

impl Deref for DriverBuf {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl DerefMut for DriverBuf {
    fn deref_mut(&mut self) -> &mut [u8] {
        self.as_mut_slice()
    }
}

impl AsRef<[u8]> for DriverBuf {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl AsMut<[u8]> for DriverBuf {
    fn as_mut(&mut self) -> &mut [u8] {
        self
    }
}

impl PartialEq for DriverBuf {
    fn eq(&self, other: &DriverBuf) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for DriverBuf {}

impl Extend<u8> for DriverBuf {
    fn extend<I: IntoIterator<Item = u8>>(&mut self, iter: I) {
        let iter = iter.into_iter();
        self.reserve(iter.size_hint().0);
        for b in iter {
            self.push(b);
        }
    }
}

impl io::Write for DriverBuf {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.try_reserve(bytes.len()).map_err(io::Error::other)?;
        self.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl fmt::Debug for DriverBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DriverBuf")
            .field("len", &self.len)
            .field("capacity", &self.cap)
            .finish()
    }
}

// ---------------------------------------------------------------------------
// DriverAllocator
// ---------------------------------------------------------------------------

/// A Rust global allocator on the VM's `driver_alloc`: installed in a driver, every `Box`,
/// `Vec` and `String` of the driver (and of the framework and crates it uses) is memory the
/// VM accounts for, in `erlang:memory(system)`, the `driver_alloc` allocator's statistics
/// (`erlang:system_info({allocator, driver_alloc})`, `instrument`) and crash dumps.
///
/// Opt-in: install it in the driver's crate (the `cdylib`), once:
///
/// ```no_run
/// // Not in `cargo test` builds: they run outside the VM, where there is no `driver_alloc`
/// // to link to (the test binary would fail to link).
/// #[cfg(not(test))]
/// #[global_allocator]
/// static ALLOCATOR: erldrv::DriverAllocator = erldrv::DriverAllocator;
/// ```
///
/// (`beam-tests/drivers/global_alloc` is a driver that installs it, tested in a real VM.)
///
/// - **Any thread.** `driver_alloc`, `driver_realloc` and `driver_free` are thread-safe;
///   the driver's own threads, the async pool's and the schedulers all use it.
/// - **Any alignment.** The VM aligns its blocks to 8 bytes (64-bit). A type that needs
///   more (`#[repr(align(64))]`, a page-aligned buffer) gets a block that much larger, the
///   address rounded up inside it and the block's start kept just before that address;
///   such blocks grow by copying. Blocks of alignment 8 or less are the VM's own, and grow
///   in place with `driver_realloc` when the VM can.
/// - **Out of memory.** The VM's refusal reaches Rust as a null pointer, and Rust's usual
///   out-of-memory handling applies (`Vec` stops the process; fallible APIs such as
///   `Vec::try_reserve` return an error). The VM is not stopped by the allocator itself.
///
/// Only the driver's library uses it: the VM's memory and other drivers' are unaffected.
/// Memory freed by the VM (binaries, the queue) is never the global allocator's, so the
/// two never mix.
#[derive(Debug, Clone, Copy, Default)]
pub struct DriverAllocator;

// SAFETY: every block comes from driver_alloc (directly, or with room to align inside it,
// `Padded`) and is given back to driver_free by the same rule, chosen by the layout's
// alignment alone, which `dealloc` and `realloc` receive unchanged. The blocks are aligned
// as the layout asks (the VM's MIN_ALIGN, or `Padded::place`), at least `size` bytes long,
// and thread-safe to allocate and free.
unsafe impl GlobalAlloc for DriverAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= MIN_ALIGN {
            // SAFETY: driver_alloc is thread-safe; NULL on failure, which we pass on.
            return unsafe { sys::driver_alloc(layout.size()) }.cast::<u8>();
        }
        let Some(padded) = Padded::for_layout(layout) else {
            return ptr::null_mut();
        };
        // SAFETY: as above.
        let raw = unsafe { sys::driver_alloc(padded.block) }.cast::<u8>();
        if raw.is_null() {
            return raw;
        }
        // SAFETY: `raw` is a fresh block of `padded.block` bytes.
        unsafe { padded.place(raw) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let block = if layout.align() <= MIN_ALIGN {
            ptr
        } else {
            // SAFETY: `ptr` came from `alloc`/`realloc` with this layout's alignment, so
            // from `Padded::place`.
            unsafe { Padded::block_of(ptr) }
        };
        // SAFETY: a block of driver_alloc, freed once (the caller's contract).
        unsafe { sys::driver_free(block.cast::<c_void>()) };
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= MIN_ALIGN {
            // SAFETY: `ptr` is a driver_alloc block of this layout (the caller's contract);
            // on NULL it is left as it was, which is what `realloc` must do.
            return unsafe { sys::driver_realloc(ptr.cast::<c_void>(), new_size) }.cast::<u8>();
        }
        // The offset inside a padded block may differ after driver_realloc moves it: copy.
        // SAFETY: the caller guarantees a valid size for this alignment.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: a non-zero size (the caller's contract for realloc).
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are live and distinct, each at least this long.
            unsafe { ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
            // SAFETY: the old block, with its layout, freed once.
            unsafe { self.dealloc(ptr, layout) };
        }
        new
    }
}

/// The layout of a block for an alignment beyond the VM's: `block` bytes from
/// `driver_alloc`, the caller's bytes at the first address aligned to `align` that leaves a
/// word before it, where the block's start is kept. Correct whatever the alignment of the
/// VM's block: nothing here relies on `MIN_ALIGN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Padded {
    /// Bytes to ask the VM for: `size + align - 1 + size_of::<usize>()`.
    pub(crate) block: usize,
    /// The alignment asked for, a power of two above `MIN_ALIGN`.
    pub(crate) align: usize,
}

/// The room kept before the caller's bytes for the block's start.
const HEADER: usize = size_of::<usize>();

impl Padded {
    /// `None` when the padded size is beyond what any allocation can be (`isize::MAX`).
    pub(crate) fn for_layout(layout: Layout) -> Option<Padded> {
        let block = layout
            .size()
            .checked_add(layout.align() - 1)?
            .checked_add(HEADER)
            .filter(|&b| isize::try_from(b).is_ok())?;
        Some(Padded {
            block,
            align: layout.align(),
        })
    }

    /// Where the caller's bytes start in a block at address `raw`: the first multiple of
    /// `align` at or after `raw + HEADER`. So `raw + HEADER <= start`,
    /// `start + size <= raw + block`, and the header's word (`start - HEADER`) is aligned
    /// for a `usize` (`align` is a power of two above `HEADER`).
    pub(crate) fn start(&self, raw: usize) -> usize {
        (raw + HEADER).next_multiple_of(self.align)
    }

    /// Places the caller's bytes in the block at `raw` and records the block's start in the
    /// word before them.
    ///
    /// # Safety
    /// `raw` is a live block of `self.block` bytes.
    unsafe fn place(&self, raw: *mut u8) -> *mut u8 {
        let offset = self.start(raw as usize) - raw as usize;
        // SAFETY: HEADER <= offset and offset + size <= block (see `start`): inside the
        // block, with a `usize`-aligned word before it.
        unsafe {
            let start = raw.add(offset);
            start.sub(HEADER).cast::<*mut u8>().write(raw);
            start
        }
    }

    /// The block whose caller's bytes start at `start`.
    ///
    /// # Safety
    /// `start` was returned by [`Padded::place`], and its block is live.
    unsafe fn block_of(start: *mut u8) -> *mut u8 {
        // SAFETY: `place` wrote the block's start in the word before `start`.
        unsafe { start.sub(HEADER).cast::<*mut u8>().read() }
    }
}

#[cfg(test)]
mod tests {
    use super::{HEADER, MIN_ALIGN, Padded};
    use core::alloc::Layout;

    /// Every layout with an alignment above the VM's, placed in blocks at every address
    /// alignment the VM could return (down to 1): the bytes are aligned, fit in the block,
    /// and leave an aligned word for the block's start.
    #[test]
    fn padded_blocks_fit_and_align() {
        let mut align = MIN_ALIGN * 2;
        while align <= 1 << 16 {
            for size in [1, 2, 7, 8, 9, 63, 64, 65, 4095, 4096, 4097, 1 << 20] {
                let layout = Layout::from_size_align(size, align).unwrap();
                let p = Padded::for_layout(layout).unwrap();
                assert_eq!(p.block, size + align - 1 + HEADER);
                for raw in (0x10_0000..0x10_0000 + 2 * align).step_by(1) {
                    let start = p.start(raw);
                    assert_eq!(start % align, 0, "{layout:?} at {raw:#x}");
                    assert!(
                        start - HEADER >= raw,
                        "{layout:?} at {raw:#x}: no room for the header"
                    );
                    assert_eq!((start - HEADER) % align_of::<usize>(), 0);
                    assert!(
                        start + size <= raw + p.block,
                        "{layout:?} at {raw:#x}: past the block"
                    );
                }
            }
            align *= 2;
        }
    }

    /// A block from the VM (8-aligned) wastes at most `align - 1 + HEADER` bytes, and the
    /// padding is the least that works: one less byte fails at some address.
    #[test]
    fn padding_is_tight() {
        for align in [16, 64, 4096] {
            let layout = Layout::from_size_align(100, align).unwrap();
            let p = Padded::for_layout(layout).unwrap();
            let worst = (0..align)
                .map(|raw| p.start(0x1000 * align + raw) - (0x1000 * align + raw))
                .max()
                .unwrap();
            assert_eq!(worst, align - 1 + HEADER);
        }
    }

    #[test]
    fn overflowing_sizes_are_refused() {
        let layout = Layout::from_size_align(isize::MAX as usize - 15, 16).unwrap();
        assert_eq!(Padded::for_layout(layout), None);
        let layout = Layout::from_size_align(isize::MAX as usize - 100, 64).unwrap();
        assert!(Padded::for_layout(layout).is_some());
    }

    #[test]
    fn a_real_block_round_trips() {
        // The placement itself, in a block of Rust's own allocator (no VM here).
        for align in [16usize, 32, 256, 4096] {
            let layout = Layout::from_size_align(1000, align).unwrap();
            let p = Padded::for_layout(layout).unwrap();
            let mut block = vec![0u8; p.block];
            let raw = block.as_mut_ptr();
            // SAFETY: `block` is a live buffer of `p.block` bytes.
            let start = unsafe { p.place(raw) };
            assert_eq!(start as usize % align, 0);
            // SAFETY: `start` came from `place` on this live block.
            assert_eq!(unsafe { Padded::block_of(start) }, raw);
            // The caller's bytes are all inside the block.
            assert!(start as usize + 1000 <= raw as usize + p.block);
        }
    }
}
