//! Reference-counted driver binaries (`ErlDrvBinary`).

use core::ptr::NonNull;
use core::{fmt, slice};

use erldrv_sys as sys;

use crate::alloc::OutOfMemory;

/// An owned reference to a driver binary: the VM's reference-counted byte buffer.
///
/// Binaries received in [`outputv`](crate::Driver::outputv) can be kept past the callback by
/// turning them into a `Binary` (zero copy: the reference count goes up). Cloning increments
/// the count and dropping decrements it; the VM frees the memory when the count reaches zero.
/// Reference counting is thread-safe, so a `Binary` may be sent to other threads.
pub struct Binary {
    ptr: NonNull<sys::ErlDrvBinary>,
}

// SAFETY: the VM's binary reference counts are atomic (driver_binary_inc_refc and friends are
// documented thread-safe), and shared contents are only ever read through `&self`.
unsafe impl Send for Binary {}
// SAFETY: as above; `&Binary` gives read-only access.
unsafe impl Sync for Binary {}

impl Binary {
    /// Allocates a binary of `len` bytes (`driver_alloc_binary`), zero-filled.
    ///
    /// # Panics
    /// When the VM cannot allocate the memory.
    pub fn new(len: usize) -> Binary {
        // SAFETY: driver_alloc_binary may be called from any thread; it returns NULL on failure.
        let raw = unsafe { sys::driver_alloc_binary(len as sys::ErlDrvSizeT) };
        let ptr = NonNull::new(raw).expect("driver_alloc_binary: out of memory");
        let mut bin = Binary { ptr };
        if let Some(bytes) = bin.get_mut() {
            bytes.fill(0);
        }
        bin
    }

    /// Allocates a binary holding a copy of `bytes`.
    pub fn from_slice(bytes: &[u8]) -> Binary {
        // SAFETY: as in `new`.
        let raw = unsafe { sys::driver_alloc_binary(bytes.len() as sys::ErlDrvSizeT) };
        let ptr = NonNull::new(raw).expect("driver_alloc_binary: out of memory");
        // SAFETY: the fresh binary has room for `bytes.len()` bytes and is not shared yet.
        unsafe {
            core::ptr::copy_nonoverlapping(
                bytes.as_ptr(),
                (&raw mut (*ptr.as_ptr()).orig_bytes).cast::<u8>(),
                bytes.len(),
            );
        }
        Binary { ptr }
    }

    /// Takes a new reference to a binary the VM lent us.
    ///
    /// # Safety
    /// `raw` must point to a live driver binary.
    pub(crate) unsafe fn from_borrowed(raw: NonNull<sys::ErlDrvBinary>) -> Binary {
        // SAFETY: the caller guarantees the binary is live; incrementing is thread-safe.
        unsafe { sys::driver_binary_inc_refc(raw.as_ptr()) };
        Binary { ptr: raw }
    }

    /// Gives up this reference and returns the raw pointer; the caller now owns one count.
    pub(crate) fn into_raw(self) -> *mut sys::ErlDrvBinary {
        let raw = self.ptr.as_ptr();
        core::mem::forget(self);
        raw
    }

    /// The binary's contents.
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: we hold a count, so the binary is live; orig_size bytes follow the header.
        unsafe {
            let b = self.ptr.as_ptr();
            slice::from_raw_parts(
                (&raw const (*b).orig_bytes).cast::<u8>(),
                (*b).orig_size as usize,
            )
        }
    }

    /// The contents, mutably, when this is the only reference (like `Arc::get_mut`).
    pub fn get_mut(&mut self) -> Option<&mut [u8]> {
        if self.ref_count() != 1 {
            return None;
        }
        // SAFETY: the count is 1 and we own it, so nobody else can observe the bytes.
        unsafe {
            let b = self.ptr.as_ptr();
            Some(slice::from_raw_parts_mut(
                (&raw mut (*b).orig_bytes).cast::<u8>(),
                (*b).orig_size as usize,
            ))
        }
    }

    /// Changes the length to `new_len` bytes, keeping the contents up to the shorter of the
    /// two lengths and zero-filling the rest (`driver_realloc_binary`).
    ///
    /// Only a binary nobody else holds is resized in place (its reference count is 1): C's
    /// `driver_realloc_binary` on a shared binary would free or move bytes that the other
    /// holders (a process, the driver queue, another `Binary`) still read. A shared binary
    /// is copied instead: this `Binary` becomes a new one of `new_len` bytes, and the others
    /// keep the old bytes, unchanged (copy on write, as `Arc::make_mut`).
    ///
    /// # Panics
    /// When the VM cannot allocate the memory (see [`try_resize`](Binary::try_resize)).
    ///
    /// ```no_run
    /// use erldrv::Binary;
    ///
    /// let mut bin = Binary::from_slice(b"abc");
    /// bin.resize(5);
    /// assert_eq!(&*bin, b"abc\0\0");
    ///
    /// let shared = bin.clone();
    /// bin.resize(2); // a copy: `shared` still holds the 5 bytes
    /// assert_eq!((&*bin, &*shared), (&b"ab"[..], &b"abc\0\0"[..]));
    /// ```
    pub fn resize(&mut self, new_len: usize) {
        self.try_resize(new_len)
            .unwrap_or_else(|e| panic!("Binary::resize: {e}"));
    }

    /// [`resize`](Binary::resize), or the VM's refusal with the binary unchanged.
    ///
    /// ```no_run
    /// let mut bin = erldrv::Binary::new(16);
    /// assert!(bin.try_resize(usize::MAX / 2).is_err());
    /// assert_eq!(bin.len(), 16);
    /// ```
    pub fn try_resize(&mut self, new_len: usize) -> Result<(), OutOfMemory> {
        let old_len = self.len();
        if new_len == old_len {
            return Ok(());
        }
        // The VM stores the size in a signed word.
        if isize::try_from(new_len).is_err() {
            return Err(OutOfMemory::new(new_len));
        }
        if self.ref_count() == 1 {
            // SAFETY: we hold the only reference, so no one else reads the bytes that the
            // VM may move or free; on NULL the binary is left as it was, still ours.
            let raw = unsafe { sys::driver_realloc_binary(self.ptr.as_ptr(), new_len) };
            self.ptr = NonNull::new(raw).ok_or(OutOfMemory::new(new_len))?;
            if let Some(bytes) = self.get_mut() {
                bytes[old_len.min(new_len)..].fill(0);
            }
        } else {
            // SAFETY: as in `new`.
            let raw = unsafe { sys::driver_alloc_binary(new_len as sys::ErlDrvSizeT) };
            let ptr = NonNull::new(raw).ok_or(OutOfMemory::new(new_len))?;
            let mut copy = Binary { ptr };
            let keep = old_len.min(new_len);
            if let Some(bytes) = copy.get_mut() {
                bytes[..keep].copy_from_slice(&self.as_slice()[..keep]);
                bytes[keep..].fill(0);
            }
            // Gives back our reference to the shared binary.
            *self = copy;
        }
        Ok(())
    }

    /// The current reference count (`driver_binary_get_refc`).
    pub fn ref_count(&self) -> usize {
        // SAFETY: the binary is live while we hold a count.
        unsafe { sys::driver_binary_get_refc(self.ptr.as_ptr()) as usize }
    }

    /// The raw pointer, for the VM's output functions.
    pub(crate) fn as_raw(&self) -> *mut sys::ErlDrvBinary {
        self.ptr.as_ptr()
    }
}

impl Clone for Binary {
    fn clone(&self) -> Binary {
        // SAFETY: the binary is live while we hold a count.
        unsafe { Binary::from_borrowed(self.ptr) }
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        // SAFETY: we own one count; driver_free_binary releases it and frees at zero.
        unsafe { sys::driver_free_binary(self.ptr.as_ptr()) };
    }
}

impl core::ops::Deref for Binary {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsRef<[u8]> for Binary {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl fmt::Debug for Binary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Binary")
            .field("len", &self.as_slice().len())
            .field("ref_count", &self.ref_count())
            .finish()
    }
}
