//! The emulator's environment, as Erlang sees it with `os:getenv/1` and `os:putenv/2`.
//!
//! The VM keeps its own copy of the environment: `std::env::var` in a driver does not see a
//! variable that Erlang code set with `os:putenv/2`. These functions go through the VM
//! (`erl_drv_getenv`, `erl_drv_putenv`) and may be called from any thread.

use std::ffi::{CString, c_char};

use erldrv_sys as sys;

/// The value of `key` in the emulator's environment; `None` when unset, when the key
/// contains a NUL, or when the value is not UTF-8 (read those with [`var_bytes`] or
/// [`var_os`]).
///
/// ```no_run
/// // After os:putenv("MYDRV_MODE", "fast") in Erlang:
/// let fast = erldrv::env::var("MYDRV_MODE").as_deref() == Some("fast");
/// ```
pub fn var(key: &str) -> Option<String> {
    String::from_utf8(var_bytes(key)?).ok()
}

/// The value of `key` in the emulator's environment as the bytes the VM holds, whatever
/// they are; `None` when unset or when the key contains a NUL.
///
/// The VM's environment starts as the OS process's, where a value can be any bytes but
/// NUL. What `os:putenv/2` sets is encoded in the VM's file name encoding
/// (`file:native_name_encoding/0`, UTF-8 by default).
///
/// ```no_run
/// // A path from the environment, which may not be UTF-8.
/// let dir: Option<Vec<u8>> = erldrv::env::var_bytes("MYDRV_DIR");
/// ```
pub fn var_bytes(key: &str) -> Option<Vec<u8>> {
    let key = CString::new(key).ok()?;
    let mut buf = vec![0u8; 256];
    loop {
        let mut size = buf.len();
        // SAFETY: key is NUL-terminated; buf has `size` writable bytes and size is updated.
        let r = unsafe {
            sys::erl_drv_getenv(key.as_ptr(), buf.as_mut_ptr().cast::<c_char>(), &mut size)
        };
        match r {
            0 => {
                // On success `size` is the value's length, without the NUL.
                buf.truncate(size);
                return Some(buf);
            }
            // The buffer was too small; `size` now holds the size needed: ask again with
            // that (the value may have grown meanwhile, hence the loop).
            r if r > 0 => buf.resize(size.max(buf.len() + 1), 0),
            _ => return None,
        }
    }
}

/// The value of `key` in the emulator's environment as an [`OsString`](std::ffi::OsString), for paths and
/// other values that need not be UTF-8 ([`var_bytes`], as an `OsString`); `None` when
/// unset or when the key contains a NUL.
///
/// ```no_run
/// use std::path::PathBuf;
///
/// let dir = erldrv::env::var_os("MYDRV_DIR").map(PathBuf::from);
/// ```
#[cfg(unix)]
pub fn var_os(key: &str) -> Option<std::ffi::OsString> {
    use std::os::unix::ffi::OsStringExt;
    var_bytes(key).map(std::ffi::OsString::from_vec)
}

/// Sets `key` to `value` in the emulator's environment. Returns `false` if the VM refused
/// or either string contains a NUL.
pub fn set_var(key: &str, value: &str) -> bool {
    let (Ok(key), Ok(value)) = (CString::new(key), CString::new(value)) else {
        return false;
    };
    // SAFETY: both strings are NUL-terminated; the VM copies them.
    unsafe { sys::erl_drv_putenv(key.as_ptr(), value.as_ptr().cast_mut()) == 0 }
}
