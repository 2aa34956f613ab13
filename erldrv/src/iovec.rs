//! The zero-copy view of `outputv` data (`ErlIOVec`).

use core::ffi::c_int;
use core::marker::PhantomData;
use core::ptr::{self, NonNull};
use core::slice;

use erldrv_sys as sys;

use crate::binary::Binary;

/// The data of one `port_command/2`, as the VM hands it to
/// [`outputv`](crate::Driver::outputv): a list of byte segments, most of them pointing straight
/// into Erlang binaries. Nothing is copied until you ask for it.
///
/// The view lives for the callback only; to keep a segment's bytes, take a
/// [`Binary`] reference with [`Segment::binary`] (no copy) or copy with [`IoVec::to_vec`].
pub struct IoVec<'a> {
    raw: NonNull<sys::ErlIOVec>,
    _lent: PhantomData<&'a sys::ErlIOVec>,
}

/// One segment of an [`IoVec`].
#[derive(Clone, Copy)]
pub struct Segment<'a> {
    bytes: &'a [u8],
    binary: Option<NonNull<sys::ErlDrvBinary>>,
}

impl<'a> Segment<'a> {
    /// The segment's bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// A new reference to the reference-counted binary these bytes live in, and the offset
    /// of the bytes inside it; `None` for bytes that live in no binary. Keeping the
    /// reference keeps the bytes alive past the callback without copying them (send them on
    /// with [`Port::output_binary`](crate::Port::output_binary)`(.., &bin, offset, len)`).
    pub fn binary(&self) -> Option<(Binary, usize)> {
        let raw = self.binary?;
        // SAFETY: binv entries are live for the callback; a new count keeps it alive after.
        let bin = unsafe { Binary::from_borrowed(raw) };
        let offset = (self.bytes.as_ptr() as usize).checked_sub(bin.as_slice().as_ptr() as usize)?;
        (offset + self.bytes.len() <= bin.len()).then_some((bin, offset))
    }
}

impl<'a> IoVec<'a> {
    /// # Safety
    /// `raw` must be the `ErlIOVec` the VM passed to `outputv`, valid for `'a`.
    pub(crate) unsafe fn from_raw(raw: NonNull<sys::ErlIOVec>) -> IoVec<'a> {
        IoVec {
            raw,
            _lent: PhantomData,
        }
    }

    pub(crate) fn as_raw(&self) -> *mut sys::ErlIOVec {
        self.raw.as_ptr()
    }

    /// Total number of bytes in all segments.
    pub fn len(&self) -> usize {
        // SAFETY: the VM's ErlIOVec is valid for 'a.
        unsafe { (*self.raw.as_ptr()).size }
    }

    /// Whether there are no bytes at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The segments in order, empty ones skipped.
    pub fn segments(&self) -> impl Iterator<Item = Segment<'a>> + 'a {
        // SAFETY: vsize entries of iov and binv are valid for 'a (ErlIOVec contract).
        let (iov, binv, n) = unsafe {
            let ev = &*self.raw.as_ptr();
            (ev.iov, ev.binv, usize::try_from(ev.vsize).unwrap_or(0))
        };
        (0..n).filter_map(move |i| {
            // SAFETY: i < vsize, see above.
            let (v, b) = unsafe { (*iov.add(i), *binv.add(i)) };
            if v.iov_len == 0 || v.iov_base.is_null() {
                return None;
            }
            // SAFETY: iov_base/iov_len describe live bytes for 'a.
            let bytes = unsafe { slice::from_raw_parts(v.iov_base.cast::<u8>(), v.iov_len) };
            Some(Segment {
                bytes,
                binary: NonNull::new(b),
            })
        })
    }

    /// Keeps the data past the callback without copying it: each segment that lives in a
    /// binary is kept by reference ([`Segment::binary`]); the rest (rare) is copied. The
    /// result can go to another thread: a job's input.
    pub fn to_owned_iovec(&self) -> OwnedIoVec {
        self.owned_from(0)
    }

    /// [`to_owned_iovec`](IoVec::to_owned_iovec) of the bytes from `skip` on.
    pub(crate) fn owned_from(&self, mut skip: usize) -> OwnedIoVec {
        let mut parts = Vec::new();
        for s in self.segments() {
            let bytes = s.bytes();
            if skip >= bytes.len() {
                skip -= bytes.len();
                continue;
            }
            let bytes = &bytes[skip..];
            let part = match s.binary() {
                Some((bin, offset)) => Part::Shared {
                    bin,
                    offset: offset + skip,
                    len: bytes.len(),
                },
                None => Part::Copied(bytes.to_vec()),
            };
            skip = 0;
            parts.push(part);
        }
        OwnedIoVec { parts }
    }

    /// Copies all bytes into one `Vec`.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len());
        for s in self.segments() {
            out.extend_from_slice(s.bytes());
        }
        out
    }
}

impl core::fmt::Debug for IoVec<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("IoVec").field("len", &self.len()).finish()
    }
}

/// `outputv` data kept past its callback ([`IoVec::to_owned_iovec`]): the Erlang binaries
/// it came in, held by reference (their bytes are not copied), in order. `Send + Sync`:
/// hand it to a job.
#[derive(Clone, Default)]
pub struct OwnedIoVec {
    parts: Vec<Part>,
}

#[derive(Clone)]
enum Part {
    Shared {
        bin: Binary,
        offset: usize,
        len: usize,
    },
    Copied(Vec<u8>),
}

impl OwnedIoVec {
    /// The segments' bytes, in order.
    pub fn segments(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.parts.iter().map(|p| match p {
            Part::Shared { bin, offset, len } => &bin.as_slice()[*offset..*offset + *len],
            Part::Copied(v) => v.as_slice(),
        })
    }

    /// The segments as I/O slices, ready for `write_vectored`.
    pub fn io_slices(&self) -> Vec<std::io::IoSlice<'_>> {
        self.segments().map(std::io::IoSlice::new).collect()
    }

    /// The total number of bytes.
    pub fn len(&self) -> usize {
        self.segments().map(<[u8]>::len).sum()
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many of the bytes are held by reference in the VM's binaries (the rest were
    /// copied, because the VM had them in no binary).
    pub fn shared_len(&self) -> usize {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Shared { len, .. } => *len,
                Part::Copied(_) => 0,
            })
            .sum()
    }

    /// Copies all bytes into one `Vec`.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len());
        for s in self.segments() {
            out.extend_from_slice(s);
        }
        out
    }
}

impl core::fmt::Debug for OwnedIoVec {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("OwnedIoVec")
            .field("segments", &self.parts.len())
            .field("len", &self.len())
            .finish()
    }
}

/// Data that the driver queue takes as an I/O vector, by reference
/// ([`QueueGuard::enqueue_iovec`](crate::QueueGuard::enqueue_iovec),
/// [`push_iovec`](crate::QueueGuard::push_iovec)): the [`IoVec`] an
/// [`outputv`](crate::Driver::outputv) receives, and an [`OwnedIoVec`] kept from one.
/// Sealed: the framework builds the VM's vector from these two only.
///
/// ```no_run
/// # use erldrv::{IoVec, OwnedIoVec, Port, QueueError};
/// # fn f(port: &Port, data: IoVec<'_>, kept: &OwnedIoVec) -> Result<(), QueueError> {
/// let mut queue = port.queue();
/// queue.enqueue_iovec(&data, 0)?; // at the back, the binaries shared
/// queue.push_iovec(kept, 0)?; // at the front
/// # Ok(()) }
/// ```
pub trait IoVecLike: sealed::Sealed {}

impl IoVecLike for IoVec<'_> {}
impl IoVecLike for OwnedIoVec {}

pub(crate) mod sealed {
    use super::RawIoVec;

    pub trait Sealed {
        /// The segments as the VM's vector describes them, pointing into `self`.
        fn raw(&self) -> RawIoVec;
    }
}

impl sealed::Sealed for IoVec<'_> {
    fn raw(&self) -> RawIoVec {
        let mut raw = RawIoVec::default();
        for s in self.segments() {
            raw.push(s.bytes, s.binary.map_or(ptr::null_mut(), NonNull::as_ptr));
        }
        raw
    }
}

impl sealed::Sealed for OwnedIoVec {
    fn raw(&self) -> RawIoVec {
        let mut raw = RawIoVec::default();
        for p in &self.parts {
            match p {
                Part::Shared { bin, offset, len } => {
                    raw.push(&bin.as_slice()[*offset..*offset + *len], bin.as_raw());
                }
                // No binary: the VM copies these bytes into one of its own.
                Part::Copied(v) => raw.push(v, ptr::null_mut()),
            }
        }
        raw
    }
}

/// An `ErlIOVec` under construction: the segments of an [`IoVecLike`] and the binary each
/// lives in (null for bytes in none). Its pointers borrow from the value it was made from,
/// which must outlive every use of [`RawIoVec::as_erl_iovec`]. (`pub` in a private module:
/// the sealed trait names it, and no one outside the crate can.)
#[derive(Default)]
pub struct RawIoVec {
    iov: Vec<sys::SysIOVec>,
    binv: Vec<*mut sys::ErlDrvBinary>,
    size: usize,
}

impl RawIoVec {
    fn push(&mut self, bytes: &[u8], bin: *mut sys::ErlDrvBinary) {
        self.iov.push(sys::SysIOVec {
            iov_base: bytes.as_ptr().cast_mut().cast(),
            iov_len: bytes.len(),
        });
        self.binv.push(bin);
        self.size += bytes.len();
    }

    /// The total number of bytes.
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// The VM's view of the vector, `None` with more segments than a C `int` counts. The VM
    /// may trim the first entries in place (the queue functions skip bytes that way), which
    /// only changes this `RawIoVec`, never the data.
    pub(crate) fn as_erl_iovec(&mut self) -> Option<sys::ErlIOVec> {
        Some(sys::ErlIOVec {
            vsize: c_int::try_from(self.iov.len()).ok()?,
            size: self.size,
            iov: self.iov.as_mut_ptr(),
            binv: self.binv.as_mut_ptr(),
        })
    }
}
