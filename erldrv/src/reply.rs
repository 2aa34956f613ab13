//! Reply buffers of `control` and `call`: [`Reply`], which `control` writes, and
//! [`CallOut`], where the framework encodes what `call` returns.

use core::ffi::{c_char, c_void};
use core::marker::PhantomData;
use core::ptr;

use erldrv_sys as sys;

use crate::binary::Binary;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ReplyKind {
    /// `port_control/3` in list mode: the caller gets a list of bytes.
    ControlList,
    /// `port_control/3` with `PORT_CONTROL_FLAG_BINARY`: the caller gets a binary.
    ControlBinary,
}

enum Storage {
    /// Writing into the VM's default buffer: no allocation at all.
    Default,
    /// A `driver_alloc` buffer (list-mode control). The VM frees it on success.
    Alloc,
    /// A `driver_alloc_binary` (binary-mode control). The VM takes it on success.
    Bin(*mut sys::ErlDrvBinary),
    /// A whole binary handed over with [`Reply::set_binary`].
    Whole(Binary),
    /// No reply buffer at all ([`Reply::set_empty_list`], binary mode): `*rbuf` is NULL.
    Nil,
}

/// Where `control` writes its reply.
///
/// Bytes go into the VM's default reply buffer while they fit (no allocation on the fast
/// path); a longer reply moves to a driver allocation: a driver binary when the port is in
/// binary control mode (see [`Port::set_control_binary`](crate::Port::set_control_binary)),
/// a `driver_alloc` buffer otherwise. The VM takes ownership of it when the callback returns
/// `Ok`; on `Err` or a panic the reply is freed and discarded.
///
/// A [`Sink`](crate::term::Sink) for the term encoder, too: a reply can be a term in the
/// external format.
pub struct Reply<'a> {
    rbuf: *mut *mut c_char,
    default_cap: usize,
    kind: ReplyKind,
    buf: *mut u8,
    cap: usize,
    len: usize,
    storage: Storage,
    _lent: PhantomData<&'a mut [u8]>,
}

impl<'a> Reply<'a> {
    /// # Safety
    /// `rbuf`/`rlen` must be the reply arguments the VM passed to `control`, and `kind` must
    /// match the port's control flags.
    #[inline]
    pub(crate) unsafe fn new(rbuf: *mut *mut c_char, rlen: usize, kind: ReplyKind) -> Reply<'a> {
        // SAFETY: the VM passes a valid pointer to its default buffer pointer.
        let default = unsafe { *rbuf }.cast::<u8>();
        let default_cap = if default.is_null() { 0 } else { rlen };
        Reply {
            rbuf,
            default_cap,
            kind,
            buf: default,
            cap: default_cap,
            len: 0,
            storage: Storage::Default,
            _lent: PhantomData,
        }
    }

    /// Number of reply bytes written so far.
    pub fn len(&self) -> usize {
        match &self.storage {
            Storage::Whole(b) => b.len(),
            _ => self.len,
        }
    }

    /// Whether nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Size of the VM's default buffer: replies up to this many bytes allocate nothing.
    pub fn inline_capacity(&self) -> usize {
        self.default_cap
    }

    /// Appends bytes to the reply.
    #[inline]
    pub fn extend_from_slice(&mut self, bytes: &[u8]) {
        // `cap` is 0 while a whole binary is set, so that case takes the slow path too.
        if bytes.len() <= self.cap - self.len {
            // SAFETY: there is room for bytes.len() more bytes after len.
            unsafe {
                ptr::copy_nonoverlapping(bytes.as_ptr(), self.buf.add(self.len), bytes.len())
            };
            self.len += bytes.len();
        } else {
            self.extend_slow(bytes);
        }
    }

    #[cold]
    fn extend_slow(&mut self, bytes: &[u8]) {
        self.detach_whole();
        self.reserve(bytes.len());
        // SAFETY: reserve made room for bytes.len() more bytes after len.
        unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), self.buf.add(self.len), bytes.len()) };
        self.len += bytes.len();
    }

    /// Appends one byte.
    #[inline]
    pub fn push(&mut self, byte: u8) {
        self.extend_from_slice(&[byte]);
    }

    /// The bytes written so far (for a request `control` did not take).
    pub(crate) fn written(&mut self) -> &[u8] {
        self.as_mut_slice()
    }

    /// The bytes written so far, mutably (for patching a length prefix, say).
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        self.detach_whole();
        if self.len == 0 {
            return &mut [];
        }
        // SAFETY: buf holds len initialised bytes that we own until the callback returns.
        unsafe { core::slice::from_raw_parts_mut(self.buf, self.len) }
    }

    /// Forgets what was written; keeps any buffer already allocated.
    pub fn clear(&mut self) {
        self.detach_whole();
        self.len = 0;
    }

    /// Makes room for `additional` more bytes.
    #[inline]
    pub fn reserve(&mut self, additional: usize) {
        self.detach_whole();
        let need = self
            .len
            .checked_add(additional)
            .expect("reply length overflows usize");
        if need > self.cap {
            self.grow(need);
        }
    }

    /// Moves the reply to a larger driver allocation: the slow path of `reserve`.
    #[cold]
    fn grow(&mut self, need: usize) {
        let new_cap = need.max(self.cap.saturating_mul(2)).max(256);
        // SAFETY: each branch allocates with the allocator the VM expects for this kind of
        // reply, and copies the len bytes already written.
        unsafe {
            match self.storage {
                Storage::Default => {
                    let new = self.alloc_fresh(new_cap);
                    if self.len > 0 {
                        ptr::copy_nonoverlapping(self.buf, new, self.len);
                    }
                    self.buf = new;
                }
                Storage::Alloc => {
                    let p = sys::driver_realloc(self.buf.cast::<c_void>(), new_cap);
                    assert!(!p.is_null(), "driver_realloc: out of memory");
                    self.buf = p.cast::<u8>();
                }
                Storage::Bin(b) => {
                    let nb = sys::driver_realloc_binary(b, new_cap as sys::ErlDrvSizeT);
                    assert!(!nb.is_null(), "driver_realloc_binary: out of memory");
                    self.storage = Storage::Bin(nb);
                    self.buf = (&raw mut (*nb).orig_bytes).cast::<u8>();
                }
                Storage::Whole(_) | Storage::Nil => unreachable!("detached above"),
            }
        }
        self.cap = new_cap;
    }

    /// Replies with a whole binary without copying it (in binary mode; in list mode its
    /// bytes are copied). Replaces anything written before.
    pub fn set_binary(&mut self, binary: Binary) {
        if self.kind == ReplyKind::ControlBinary {
            self.release();
            self.storage = Storage::Whole(binary);
            // Sends every append to the slow path, which detaches the binary first.
            self.cap = 0;
        } else {
            self.clear();
            self.extend_from_slice(&binary);
        }
    }

    /// Makes `port_control/3` return `[]`, in binary mode too, where an empty reply is
    /// `<<>>`: the VM gets no reply buffer at all (`*rbuf` set to NULL, as a C driver
    /// does). Replaces anything written before; writing afterwards starts a normal reply
    /// again. In list mode an empty reply is `[]` already; the method answers `[]` in
    /// whichever mode the port is in when `control` returns.
    ///
    /// For a protocol where `[]` means "nothing to report" and a binary carries data, even
    /// an empty one.
    ///
    /// ```no_run
    /// use erldrv::{Badarg, Port, Reply};
    ///
    /// /// `port_control(P, 0, Key)`: the value as a binary, or `[]` when there is none.
    /// fn lookup(value: Option<&[u8]>, reply: &mut Reply) -> Result<(), Badarg> {
    ///     match value {
    ///         Some(bytes) => reply.extend_from_slice(bytes), // <<...>>, maybe <<>>
    ///         None => reply.set_empty_list(),                // []
    ///     }
    ///     Ok(())
    /// }
    /// ```
    pub fn set_empty_list(&mut self) {
        self.release();
        self.storage = Storage::Nil;
        // Sends every append to the slow path, which starts a normal reply first.
        self.cap = 0;
    }

    /// Moves what was written into storage of another kind (the control mode changed
    /// during the callback). Rare, so it simply copies.
    fn convert(&mut self, kind: ReplyKind) {
        let bytes = match &self.storage {
            Storage::Whole(b) => b.to_vec(),
            _ if self.len > 0 => {
                // SAFETY: buf holds len initialised bytes.
                unsafe { core::slice::from_raw_parts(self.buf, self.len) }.to_vec()
            }
            _ => Vec::new(),
        };
        self.release();
        self.kind = kind;
        self.extend_from_slice(&bytes);
    }

    /// Allocates a first heap buffer for this reply kind.
    unsafe fn alloc_fresh(&mut self, cap: usize) -> *mut u8 {
        // SAFETY: plain VM allocations; NULL is checked.
        unsafe {
            if self.kind == ReplyKind::ControlBinary {
                let b = sys::driver_alloc_binary(cap as sys::ErlDrvSizeT);
                assert!(!b.is_null(), "driver_alloc_binary: out of memory");
                self.storage = Storage::Bin(b);
                (&raw mut (*b).orig_bytes).cast::<u8>()
            } else {
                let p = sys::driver_alloc(cap);
                assert!(!p.is_null(), "driver_alloc: out of memory");
                self.storage = Storage::Alloc;
                p.cast::<u8>()
            }
        }
    }

    /// Turns a whole binary set earlier back into written bytes, and an empty list back
    /// into an empty reply, so that appending works.
    #[inline]
    fn detach_whole(&mut self) {
        if let Storage::Whole(_) | Storage::Nil = self.storage {
            self.detach_whole_slow();
        }
    }

    #[cold]
    fn detach_whole_slow(&mut self) {
        let old = core::mem::replace(&mut self.storage, Storage::Default);
        self.buf = self.default_buf();
        self.cap = self.default_cap;
        self.len = 0;
        if let Storage::Whole(bin) = old {
            self.extend_from_slice(&bin);
        }
    }

    /// The VM's default buffer: `*rbuf` keeps pointing at it until `finish`.
    fn default_buf(&self) -> *mut u8 {
        // SAFETY: rbuf is the VM's out-pointer, valid during the callback (`finish`, which
        // changes it, reads this first).
        unsafe { *self.rbuf }.cast::<u8>()
    }

    /// Frees any allocation and returns to the empty default buffer.
    fn release(&mut self) {
        // SAFETY: we own the allocation until `finish` hands it to the VM.
        unsafe {
            match core::mem::replace(&mut self.storage, Storage::Default) {
                Storage::Default | Storage::Nil => {}
                Storage::Alloc => sys::driver_free(self.buf.cast::<c_void>()),
                Storage::Bin(b) => sys::driver_free_binary(b),
                Storage::Whole(bin) => drop(bin),
            }
        }
        self.buf = self.default_buf();
        self.cap = self.default_cap;
        self.len = 0;
    }

    /// Hands the reply to the VM: sets `*rbuf` and returns the length to return from the
    /// callback. The reply is then empty, and dropping it leaves `*rbuf` alone.
    ///
    /// `binary_mode` is the port's control mode when `control` returns: the VM reads the
    /// reply in that mode, even if the callback switched it after writing.
    ///
    /// Works in place (`&mut self`): moving the whole `Reply` into a by-value `finish` cost a
    /// measurable copy on the hot path.
    #[inline(always)]
    pub(crate) fn finish(&mut self, binary_mode: bool) -> sys::ErlDrvSSizeT {
        // The common case: the reply is in the VM's default buffer (`*rbuf` still points
        // there), which the VM reads the same way in either mode.
        if let Storage::Default = self.storage {
            let len = self.len;
            self.rbuf = ptr::null_mut();
            return len as sys::ErlDrvSSizeT;
        }
        self.finish_allocated(binary_mode)
    }

    #[cold]
    fn finish_allocated(&mut self, binary_mode: bool) -> sys::ErlDrvSSizeT {
        if let Storage::Nil = self.storage {
            self.storage = Storage::Default;
            if binary_mode {
                // SAFETY: rbuf is the VM's out-pointer; in binary mode the VM answers `[]`
                // for a NULL reply. (In list mode it keeps pointing at the VM's own
                // buffer, read for 0 bytes: `[]` as well.)
                unsafe { *self.rbuf = ptr::null_mut() };
            }
            self.rbuf = ptr::null_mut();
            self.buf = ptr::null_mut();
            self.cap = 0;
            self.len = 0;
            return 0;
        }
        let wanted = if binary_mode {
            ReplyKind::ControlBinary
        } else {
            ReplyKind::ControlList
        };
        if wanted != self.kind {
            self.convert(wanted);
        }
        // The VM owns the reply from here on: take it out of `self`, so that `Drop` neither
        // frees it nor resets `*rbuf`.
        let storage = core::mem::replace(&mut self.storage, Storage::Default);
        let (buf, len, rbuf) = (self.buf, self.len, self.rbuf);
        // Finished: nothing is left to write to or free.
        self.rbuf = ptr::null_mut();
        self.buf = ptr::null_mut();
        self.cap = 0;
        self.len = 0;
        // SAFETY: rbuf is the VM's out-pointer; each branch leaves it pointing at memory of
        // the kind the VM expects for this reply, which the VM now owns.
        unsafe {
            match storage {
                Storage::Default | Storage::Alloc => *rbuf = buf.cast::<c_char>(),
                Storage::Bin(b) => {
                    // The VM uses the binary's own size as the reply length: trim it.
                    let b = if (*b).orig_size as usize != len {
                        let nb = sys::driver_realloc_binary(b, len as sys::ErlDrvSizeT);
                        assert!(!nb.is_null(), "driver_realloc_binary: out of memory");
                        nb
                    } else {
                        b
                    };
                    *rbuf = b.cast::<c_char>();
                }
                Storage::Whole(bin) => {
                    let n = bin.len();
                    *rbuf = bin.into_raw().cast::<c_char>();
                    return n as sys::ErlDrvSSizeT;
                }
                Storage::Nil => unreachable!("answered above"),
            }
        }
        len as sys::ErlDrvSSizeT
    }
}

impl Drop for Reply<'_> {
    /// A reply that was not finished (error or panic) is freed; the VM's out-pointer still
    /// points at its own buffer (only `finish` changes it), as it must when the callback
    /// fails: the VM does not free a reply then. A finished reply has nothing left to free.
    #[inline]
    fn drop(&mut self) {
        if !self.rbuf.is_null() {
            self.discard();
        }
    }
}

impl Reply<'_> {
    /// Frees an unfinished reply and points the VM back at its own buffer.
    #[cold]
    fn discard(&mut self) {
        // `*rbuf` still points at the VM's own buffer (only `finish` changes it), which is
        // what the VM expects after a failed callback.
        self.release();
    }
}

impl std::io::Write for Reply<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl core::fmt::Debug for Reply<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Reply")
            .field("kind", &self.kind)
            .field("len", &self.len())
            .finish()
    }
}

/// Where the framework encodes a `port_call` reply: the VM's default buffer while the bytes
/// fit, then a `driver_alloc` buffer, which the VM takes (and frees) once `call` returns it.
///
/// A [`Reply`] for `call` only. It has one kind of storage, so it is smaller to set up and
/// to finish: `port_call` with a small reply spends most of the framework's time here.
pub(crate) struct CallOut {
    buf: *mut u8,
    cap: usize,
    len: usize,
    /// `buf` is our `driver_alloc` buffer (freed on drop unless finished), not the VM's.
    owned: bool,
}

impl CallOut {
    /// An empty reply.
    ///
    /// # Safety
    /// `rbuf`/`rlen` must be the reply arguments the VM passed to `call`, and no reply may
    /// have been written through them yet.
    #[inline(always)]
    pub(crate) unsafe fn new(rbuf: *mut *mut c_char, rlen: usize) -> CallOut {
        // SAFETY: the VM passes a valid pointer to its default buffer pointer.
        let buf = unsafe { *rbuf }.cast::<u8>();
        CallOut {
            buf,
            cap: if buf.is_null() { 0 } else { rlen },
            len: 0,
            owned: false,
        }
    }

    /// Appends bytes.
    #[inline(always)]
    pub(crate) fn put(&mut self, bytes: &[u8]) {
        if bytes.len() <= self.cap - self.len {
            // SAFETY: there is room for bytes.len() more bytes after len.
            unsafe {
                ptr::copy_nonoverlapping(bytes.as_ptr(), self.buf.add(self.len), bytes.len())
            };
            self.len += bytes.len();
        } else {
            self.put_slow(bytes);
        }
    }

    /// Moves the reply to a larger `driver_alloc` buffer, then appends.
    #[cold]
    #[inline(never)]
    fn put_slow(&mut self, bytes: &[u8]) {
        let need = self
            .len
            .checked_add(bytes.len())
            .expect("reply length overflows usize");
        let cap = need.max(self.cap.saturating_mul(2)).max(256);
        // SAFETY: plain VM allocations, NULL checked; the first one takes a copy of the len
        // bytes written into the VM's buffer, a later one is our own buffer grown.
        let buf = unsafe {
            if self.owned {
                sys::driver_realloc(self.buf.cast::<c_void>(), cap)
            } else {
                let new = sys::driver_alloc(cap);
                if !new.is_null() && self.len > 0 {
                    ptr::copy_nonoverlapping(self.buf, new.cast::<u8>(), self.len);
                }
                new
            }
        };
        assert!(!buf.is_null(), "driver_alloc: out of memory");
        self.buf = buf.cast::<u8>();
        self.cap = cap;
        self.owned = true;
        // SAFETY: there is room for bytes.len() more bytes after len now.
        unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), self.buf.add(self.len), bytes.len()) };
        self.len += bytes.len();
    }

    /// Forgets the bytes written after the first `len` (a reply started again).
    pub(crate) fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }

    /// The bytes written so far.
    pub(crate) fn as_mut_slice(&mut self) -> &mut [u8] {
        if self.len == 0 {
            return &mut [];
        }
        // SAFETY: buf holds len initialised bytes that we own until the callback returns.
        unsafe { core::slice::from_raw_parts_mut(self.buf, self.len) }
    }

    /// Hands the reply to the VM: points `*rbuf` at our buffer if there is one, and returns
    /// the length for `call` to return. Dropping the `CallOut` afterwards frees nothing.
    ///
    /// # Safety
    /// `rbuf` is the one this reply was made with.
    #[inline(always)]
    pub(crate) unsafe fn finish(&mut self, rbuf: *mut *mut c_char) -> sys::ErlDrvSSizeT {
        if self.owned {
            // SAFETY: rbuf is the VM's out-pointer (per the contract); the VM frees a
            // `driver_alloc` reply.
            unsafe { *rbuf = self.buf.cast::<c_char>() };
            self.owned = false;
        }
        self.len as sys::ErlDrvSSizeT
    }
}

impl Drop for CallOut {
    /// An unfinished reply (a panic while encoding) is freed; `*rbuf` still points at the
    /// VM's own buffer, as only `finish` changes it.
    #[inline(always)]
    fn drop(&mut self) {
        if self.owned {
            // SAFETY: our own `driver_alloc` buffer, not handed to the VM.
            unsafe { sys::driver_free(self.buf.cast::<c_void>()) };
        }
    }
}
