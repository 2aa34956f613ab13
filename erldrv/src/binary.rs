//! Reference-counted driver binaries (`ErlDrvBinary`).

use core::ptr::NonNull;
use core::{fmt, slice};

use erldrv_sys as sys;

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
