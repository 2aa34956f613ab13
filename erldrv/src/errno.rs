//! [`errno_name`]: an OS error as the POSIX atom name Erlang uses for it (`erl_errno_id`).

use core::ffi::CStr;
use std::io;

use erldrv_sys as sys;

/// The name of the POSIX error atom for `error`'s OS error code, as the VM spells it
/// (`erl_errno_id`): `"enoent"` for `ENOENT`, `"econnrefused"`, and so on. These are the
/// atoms of `file` and `gen_tcp` errors, and of a port closed with
/// [`ExitReason::Posix`](crate::ExitReason::Posix); use them to build `{error, Reason}`
/// terms the Erlang side can match on.
///
/// `None` when `error` carries no OS code (an error made with `io::Error::new`, say) or
/// the VM has no name for the code. Callable from any thread: the VM only looks the code up
/// in a table of constant strings, which live as long as the VM.
///
/// ```no_run
/// use std::io;
/// use erldrv::errno_name;
///
/// let err = std::fs::File::open("/no/such/file").unwrap_err();
/// assert_eq!(errno_name(&err), Some("enoent"));
/// assert_eq!(errno_name(&io::Error::from_raw_os_error(libc::EAGAIN)), Some("eagain"));
/// assert_eq!(errno_name(&io::Error::other("not from the OS")), None);
/// ```
pub fn errno_name(error: &io::Error) -> Option<&'static str> {
    let code = error.raw_os_error()?;
    // SAFETY: `erl_errno_id` takes any int and returns a pointer to one of the VM's
    // constant, NUL-terminated strings (never NULL), which outlive the driver; it touches
    // no other state, so any thread may call it.
    let name = unsafe { CStr::from_ptr(sys::erl_errno_id(code)) };
    // The VM's answer for a code it does not know.
    match name.to_str() {
        Ok("unknown") | Err(_) => None,
        Ok(name) => Some(name),
    }
}
