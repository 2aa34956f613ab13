//! Shared libraries opened at run time through the VM (`driver_dl_open`, `driver_dl_sym`,
//! `driver_dl_close`, `driver_dl_error`): a [`Library`], closed when dropped, and the
//! [`Symbol`]s looked up in it.
//!
//! Opening and closing are safe; looking a symbol up is `unsafe`, because nothing checks
//! that the symbol has the type the caller names (a shared library exports bare addresses),
//! and a wrong type is undefined behaviour at the first call or read.
//!
//! The VM appends the platform's extension to the path (`.so` on Unix): name the library
//! without it, `/usr/lib/x86_64-linux-gnu/libmagic` for `libmagic.so`. A versioned file
//! name (`libm.so.6`) cannot be opened this way; open it with `libc::dlopen` if you must.
//! The search for a symbol covers the library's own dependencies, as `dlsym` does.
//!
//! ```no_run
//! use erldrv::dl::Library;
//!
//! # fn f() -> Result<(), erldrv::dl::DlError> {
//! // The plugin at /opt/app/plugins/scale.so, which exports `double scale(double)`.
//! let plugin = Library::open("/opt/app/plugins/scale")?;
//! // SAFETY: the plugin's `scale` is `double scale(double)`.
//! let scale = unsafe { plugin.get::<unsafe extern "C" fn(f64) -> f64>("scale")? };
//! // SAFETY: `scale` takes any double, and the plugin is open while it runs.
//! let y = unsafe { (*scale)(2.0) };
//! # Ok(()) }
//! ```

use core::ffi::{CStr, c_char, c_void};
use core::fmt;
use core::marker::PhantomData;
use core::mem::{self, MaybeUninit};
use core::ops::Deref;
use core::ptr::NonNull;
use std::ffi::CString;

use erldrv_sys as sys;

/// Why opening a library or finding a symbol failed: the loader's message (`dlerror`, or
/// the VM's `driver_dl_error`), with what was asked for.
///
/// ```no_run
/// let err = erldrv::dl::Library::open("/no/such/lib").unwrap_err();
/// assert_eq!(err.to_string(), "/no/such/lib: no such file: /no/such/lib.so");
/// assert_eq!(err.message(), "no such file: /no/such/lib.so");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DlError {
    what: String,
    message: String,
}

impl DlError {
    /// The VM's (and the system loader's) description of the failure, without the name
    /// that was asked for.
    pub fn message(&self) -> &str {
        &self.message
    }

    fn new(what: String, message: String) -> DlError {
        DlError { what, message }
    }

    /// The error the last `driver_dl_*` call of this thread left: the system loader's
    /// message (`dlerror`) when it has one, since OTP 25 reports every failure as an
    /// "Unspecified dynamic library error" (`driver_dl_error`); the VM's otherwise.
    fn last(what: String) -> DlError {
        // SAFETY: the loader keeps its last error per thread, and the failing call ran on
        // this thread just now; the string stays valid until the next loader call here,
        // and is copied before that.
        let raw = unsafe { libc::dlerror() };
        let raw = if raw.is_null() {
            // SAFETY: the VM keeps the last error of each thread, valid as above.
            unsafe { sys::driver_dl_error() }
        } else {
            raw
        };
        let message = if raw.is_null() {
            "unknown error".to_owned()
        } else {
            // SAFETY: a NUL-terminated string of the loader's or the VM's (see above).
            unsafe { CStr::from_ptr(raw) }
                .to_string_lossy()
                .into_owned()
        };
        DlError::new(what, message)
    }
}

impl DlError {
    /// OTP 25 keeps no reason for a failed open (it reads the loader's message itself and
    /// drops it): say at least which file was tried, and whether it exists.
    fn explain_open(mut self, path: &str) -> DlError {
        if self.message == UNSPECIFIED {
            let file = format!("{path}{EXTENSION}");
            self.message = if path.contains('/') && !std::path::Path::new(&file).exists() {
                format!("no such file: {file}")
            } else {
                format!("{file} could not be loaded (the VM gives no reason)")
            };
        }
        self
    }
}

/// What the VM appends to a library path.
const EXTENSION: &str = if cfg!(windows) { ".dll" } else { ".so" };

/// The VM's message for a failure it kept no reason for.
const UNSPECIFIED: &str = "Unspecified dynamic library error";

impl fmt::Display for DlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.what, self.message)
    }
}

impl std::error::Error for DlError {}

/// A shared library opened with `driver_dl_open` (the system's `dlopen`), closed when
/// dropped (`driver_dl_close`).
///
/// `Send` and `Sync`: the system loader's functions may be called from any thread, and the
/// VM keeps a failure's message per thread. See the [module docs](self) for an example.
pub struct Library {
    handle: NonNull<c_void>,
}

// SAFETY: the handle is the loader's, usable from any thread (dlsym and dlclose are
// thread-safe); the VM's error text is kept per thread.
unsafe impl Send for Library {}
// SAFETY: as above; `get` only reads through the handle.
unsafe impl Sync for Library {}

impl Library {
    /// Opens the shared library at `path` plus the platform's extension
    /// (`driver_dl_open`): `"/opt/plugins/scale"` opens `/opt/plugins/scale.so` on Unix.
    /// A `path` without `/` is searched for as `dlopen` does. Opening a library that is
    /// open already returns another handle to it.
    ///
    /// Opening runs the library's initialisers: a library is code like any other the
    /// driver links, and is trusted as such.
    ///
    /// # Errors
    /// The library cannot be found or loaded (the message is the loader's, and names the
    /// file with its extension), or `path` holds a NUL byte.
    ///
    /// ```no_run
    /// # fn f() {
    /// match erldrv::dl::Library::open("/no/such/lib") {
    ///     Ok(_) => unreachable!(),
    ///     // /no/such/lib: /no/such/lib.so: cannot open shared object file: No such file ...
    ///     Err(e) => eprintln!("{e}"),
    /// }
    /// # }
    /// ```
    pub fn open(path: &str) -> Result<Library, DlError> {
        let c_path = CString::new(path)
            .map_err(|_| DlError::new(path.to_owned(), "a path with a NUL byte".to_owned()))?;
        // SAFETY: a NUL-terminated path the VM only reads.
        let handle = unsafe { sys::driver_dl_open(c_path.as_ptr().cast_mut()) };
        match NonNull::new(handle) {
            Some(handle) => Ok(Library { handle }),
            None => Err(DlError::last(path.to_owned()).explain_open(path)),
        }
    }

    /// The symbol `name` of this library (`driver_dl_sym`), as a value of type `T`: a
    /// function pointer (`unsafe extern "C" fn(f64) -> f64`) or a raw pointer to data
    /// (`*const i32`). The [`Symbol`] borrows the library, so it cannot outlive it.
    ///
    /// # Safety
    /// `T` must be the symbol's true type: a function pointer type with the function's
    /// exact signature and ABI, or a pointer to data of the right type. Nothing checks it.
    /// A copy of the value taken out of the [`Symbol`] (`*sym`) must not be used after the
    /// library is dropped, since its code or data may be unmapped then.
    ///
    /// # Errors
    /// The library has no such symbol, or `name` holds a NUL byte, or `T` is not the size
    /// of a pointer (so it cannot be a function or data pointer).
    pub unsafe fn get<T: Copy>(&self, name: &str) -> Result<Symbol<'_, T>, DlError> {
        if mem::size_of::<T>() != mem::size_of::<*mut c_void>() {
            return Err(DlError::new(
                name.to_owned(),
                format!(
                    "a symbol is a pointer, and {} is not the size of one",
                    core::any::type_name::<T>()
                ),
            ));
        }
        let c_name = CString::new(name)
            .map_err(|_| DlError::new(name.to_owned(), "a name with a NUL byte".to_owned()))?;
        // SAFETY: a live handle of ours and a NUL-terminated name the VM only reads.
        let addr = unsafe {
            sys::driver_dl_sym(
                self.handle.as_ptr(),
                c_name.as_ptr().cast_mut().cast::<c_char>(),
            )
        };
        if addr.is_null() {
            return Err(DlError::last(name.to_owned()));
        }
        let mut value = MaybeUninit::<T>::uninit();
        // SAFETY: `T` has the size of a pointer (checked above), so the address fills it
        // exactly; that the bits make a valid `T` is the caller's promise.
        let value = unsafe {
            value
                .as_mut_ptr()
                .cast::<*mut c_void>()
                .write_unaligned(addr);
            value.assume_init()
        };
        Ok(Symbol {
            value,
            _library: PhantomData,
        })
    }
}

impl Drop for Library {
    fn drop(&mut self) {
        // SAFETY: a handle from `driver_dl_open`, closed once. A failure is the loader's
        // to report; there is nothing left to undo, and Drop must not panic.
        unsafe { sys::driver_dl_close(self.handle.as_ptr()) };
    }
}

impl fmt::Debug for Library {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Library")
            .field("handle", &self.handle)
            .finish()
    }
}

/// A symbol of a [`Library`] ([`Library::get`]), which it borrows: dereference it for the
/// function or data pointer.
///
/// ```no_run
/// # fn f(lib: &erldrv::dl::Library) -> Result<(), erldrv::dl::DlError> {
/// // SAFETY: the library's `answer` is `int answer(void)`.
/// let answer = unsafe { lib.get::<unsafe extern "C" fn() -> i32>("answer")? };
/// // SAFETY: as above; `lib` is still open (the borrow says so).
/// let n = unsafe { (*answer)() };
/// # Ok(()) }
/// ```
#[derive(Clone, Copy)]
pub struct Symbol<'lib, T> {
    value: T,
    _library: PhantomData<&'lib Library>,
}

impl<T> Deref for Symbol<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> fmt::Debug for Symbol<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Symbol")
            .field("type", &core::any::type_name::<T>())
            .finish()
    }
}
