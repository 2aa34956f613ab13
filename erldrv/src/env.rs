//! The emulator's environment, as Erlang sees it with `os:getenv/1` and `os:putenv/2`.
//!
//! The VM keeps its own copy of the environment: `std::env::var` in a driver does not see a
//! variable that Erlang code set with `os:putenv/2`. These functions go through the VM
//! (`erl_drv_getenv`, `erl_drv_putenv`) and may be called from any thread.

use std::ffi::{CString, c_char};

use erldrv_sys as sys;

/// The value of `key` in the emulator's environment; `None` when unset, or when the key or
/// the value is not valid (a NUL in the key, a value that is not UTF-8).
pub fn var(key: &str) -> Option<String> {
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
                return String::from_utf8(buf).ok();
            }
            // The buffer was too small; `size` now holds the size needed.
            r if r > 0 => buf.resize(size.max(buf.len() * 2), 0),
            _ => return None,
        }
    }
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
