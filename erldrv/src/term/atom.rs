//! Atoms: static names (cached for term output) and names read from terms.

use core::fmt;
use core::sync::atomic::{AtomicUsize, Ordering};
use std::borrow::Cow;

use erldrv_sys as sys;

/// An atom with a name fixed at compile time. Declare it as a `static`:
///
/// ```
/// use erldrv::term::Atom;
/// static NOT_FOUND: Atom = Atom::new("not_found");
/// ```
///
/// Writing a static atom never allocates. For term output the VM's handle of the atom is
/// looked up the first time [`Port::output_term`](crate::Port::output_term) or
/// [`Port::send_term`](crate::Port::send_term) writes it, and then cached in the static; a
/// [`TermBuilder`](crate::term::TermBuilder) of your own uses the cached handle, or looks the
/// name up when it sends. (A `const` works too, but every use is then a fresh copy with an
/// empty cache.) A [`Sender`](crate::Sender), off the scheduler, never looks atoms up: it
/// uses the cached handle when there is one, and sends the name in the external format
/// otherwise. Names that are not ASCII are sent in the external format instead: the VM's
/// `driver_mk_atom` reads names as Latin-1.
///
/// The name is checked when the constant is evaluated: at most 255 characters, no NUL.
pub struct Atom {
    name: &'static str,
    cached: AtomicUsize,
}

impl Atom {
    /// An atom named `name`. Fails to compile (in a `static` or `const`) if the name has
    /// more than 255 characters or contains a NUL byte.
    pub const fn new(name: &'static str) -> Atom {
        let bytes = name.as_bytes();
        let mut chars = 0;
        let mut i = 0;
        while i < bytes.len() {
            assert!(bytes[i] != 0, "an atom name cannot contain NUL");
            if bytes[i] & 0xC0 != 0x80 {
                chars += 1;
            }
            i += 1;
        }
        assert!(
            chars <= MAX_ATOM_CHARS,
            "an atom name has at most 255 characters"
        );
        Atom {
            name,
            cached: AtomicUsize::new(0),
        }
    }

    /// The atom's name.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The VM's term for this atom if it has been looked up already. Never calls the VM.
    #[inline]
    pub(crate) fn cached_term_data(&self) -> Option<sys::ErlDrvTermData> {
        match self.cached.load(Ordering::Relaxed) {
            0 => None,
            v => Some(v as sys::ErlDrvTermData),
        }
    }

    /// The VM's term for this atom (`driver_mk_atom`), looked up on first use and cached.
    /// `None` for names that are not ASCII: `driver_mk_atom` reads its argument as Latin-1,
    /// so those go to the VM in the external format instead.
    ///
    /// Scheduler threads only, like `driver_mk_atom`.
    pub(crate) fn term_data(&self) -> Option<sys::ErlDrvTermData> {
        if let Some(v) = self.cached_term_data() {
            return Some(v);
        }
        if !self.name.is_ascii() {
            return None;
        }
        // Racing threads store the same value: an atom's term never changes.
        let v = mk_ascii_atom(self.name.as_bytes());
        self.cached.store(v as usize, Ordering::Relaxed);
        Some(v)
    }
}

/// `driver_mk_atom` for an ASCII name without NUL (the VM reads the name as Latin-1, up to
/// a NUL byte). Scheduler threads only.
pub(crate) fn mk_ascii_atom(name: &[u8]) -> sys::ErlDrvTermData {
    debug_assert!(name.is_ascii() && !name.contains(&0));
    let mut buf = [0u8; 256];
    let mut heap;
    let cstr: *mut core::ffi::c_char = if name.len() < buf.len() {
        buf[..name.len()].copy_from_slice(name);
        buf.as_mut_ptr().cast()
    } else {
        heap = Vec::with_capacity(name.len() + 1);
        heap.extend_from_slice(name);
        heap.push(0);
        heap.as_mut_ptr().cast()
    };
    // SAFETY: a NUL-terminated string; the VM copies the name into its atom table.
    unsafe { sys::driver_mk_atom(cstr) }
}

impl fmt::Debug for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_atom(f, self.name)
    }
}

impl fmt::Display for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_atom(f, self.name)
    }
}

impl PartialEq for Atom {
    fn eq(&self, other: &Atom) -> bool {
        self.name == other.name
    }
}
impl Eq for Atom {}

pub(crate) const MAX_ATOM_CHARS: usize = 255;

/// An atom's name as it appears in a term: read from input, or given at run time.
///
/// Borrowed, never allocated. The VM sends atoms in Latin-1 or UTF-8 encoding; comparisons
/// and [`to_str`](AtomName::to_str) hide the difference.
///
/// **Writing an `AtomName` into a term creates that atom** in the VM if it does not exist
/// yet, and atoms are never freed. Names read from the VM's input already exist; for names
/// built at run time ([`AtomName::new`]), keep the set of names bounded.
#[derive(Clone, Copy)]
pub struct AtomName<'a> {
    bytes: &'a [u8],
    latin1: bool,
}

impl<'a> AtomName<'a> {
    /// An atom name chosen at run time. Writing it into a term creates the atom (see the type's
    /// documentation). Fails if the name has more than 255 characters.
    pub fn new(name: &'a str) -> Result<AtomName<'a>, AtomTooLong> {
        if name.len() > MAX_ATOM_CHARS && name.chars().count() > MAX_ATOM_CHARS {
            return Err(AtomTooLong);
        }
        Ok(AtomName {
            bytes: name.as_bytes(),
            latin1: false,
        })
    }

    /// From the bytes of an atom in the external format: `latin1` for the `ATOM_EXT` and
    /// `SMALL_ATOM_EXT` tags. UTF-8 names must already be validated.
    pub(crate) fn from_ext(bytes: &'a [u8], latin1: bool) -> AtomName<'a> {
        AtomName { bytes, latin1 }
    }

    /// The name's bytes, in [`is_latin1`](AtomName::is_latin1) encoding.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Whether the bytes are Latin-1 (else UTF-8).
    pub fn is_latin1(&self) -> bool {
        self.latin1
    }

    /// The name as `&str` without copying, when possible (UTF-8, or Latin-1 that is ASCII).
    pub fn as_str(&self) -> Option<&'a str> {
        if !self.latin1 || self.bytes.is_ascii() {
            core::str::from_utf8(self.bytes).ok()
        } else {
            None
        }
    }

    /// The name as a string; copies only a non-ASCII Latin-1 name.
    pub fn to_str(&self) -> Cow<'a, str> {
        match self.as_str() {
            Some(s) => Cow::Borrowed(s),
            None => Cow::Owned(self.bytes.iter().map(|&b| char::from(b)).collect()),
        }
    }

    /// Whether this atom is named `name`.
    pub fn is(&self, name: &str) -> bool {
        if !self.latin1 || self.bytes.is_ascii() {
            return self.bytes == name.as_bytes();
        }
        let mut chars = name.chars();
        for &b in self.bytes {
            if chars.next() != Some(char::from(b)) {
                return false;
            }
        }
        chars.next().is_none()
    }
}

impl PartialEq for AtomName<'_> {
    fn eq(&self, other: &AtomName<'_>) -> bool {
        if self.latin1 == other.latin1 {
            self.bytes == other.bytes
        } else {
            other.is(&self.to_str())
        }
    }
}
impl Eq for AtomName<'_> {}

impl core::hash::Hash for AtomName<'_> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.to_str().hash(state)
    }
}

impl PartialEq<Atom> for AtomName<'_> {
    fn eq(&self, other: &Atom) -> bool {
        self.is(other.name)
    }
}
impl PartialEq<AtomName<'_>> for Atom {
    fn eq(&self, other: &AtomName<'_>) -> bool {
        other.is(self.name)
    }
}
impl PartialEq<str> for AtomName<'_> {
    fn eq(&self, other: &str) -> bool {
        self.is(other)
    }
}
impl PartialEq<&str> for AtomName<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.is(other)
    }
}

impl fmt::Debug for AtomName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_atom(f, &self.to_str())
    }
}
impl fmt::Display for AtomName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_atom(f, &self.to_str())
    }
}

impl<'a> From<&'a Atom> for AtomName<'a> {
    fn from(a: &'a Atom) -> AtomName<'a> {
        AtomName {
            bytes: a.name.as_bytes(),
            latin1: false,
        }
    }
}

/// Writes an atom as Erlang prints it: bare when it can be, else in single quotes.
fn write_atom(f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
    let bare = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '@');
    if bare {
        f.write_str(name)
    } else {
        f.write_str("'")?;
        for c in name.chars() {
            match c {
                '\'' => f.write_str("\\'")?,
                '\\' => f.write_str("\\\\")?,
                c => fmt::Write::write_char(f, c)?,
            }
        }
        f.write_str("'")
    }
}

/// [`AtomName::new`] was given more than 255 characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AtomTooLong;

impl fmt::Display for AtomTooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an atom name has at most 255 characters")
    }
}

impl std::error::Error for AtomTooLong {}
