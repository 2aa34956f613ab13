//! Messages the framework sends on the driver's behalf: `{Port, {Tag, <<Text>>}}` to the
//! port owner or to a caller, telling it of a panic or of a refusal's reason.

use core::ffi::{CStr, c_int};

use erldrv_sys as sys;

use crate::ids::Pid;

/// `{Port, {erldrv_panic, Message}}`, and the exit reason of a port closed by a panic.
pub(crate) const PANIC_REASON: &CStr = c"erldrv_panic";
/// `{Port, {erldrv_start_error, Reason}}`: `start` refused with a reason.
pub(crate) const START_ERROR: &CStr = c"erldrv_start_error";
/// `{Port, {erldrv_badarg, Reason}}`: `control` refused with a reason.
pub(crate) const BADARG_REASON: &CStr = c"erldrv_badarg";

/// Sends `{Port, {Tag, <<Text>>}}` to the port owner; returns what `erl_drv_output_term`
/// returns (1 delivered, 0 not: the port is closing with a queue).
///
/// # Safety
/// In a callback of the port `raw` (`start` included), on its scheduler thread.
pub(crate) unsafe fn output_tagged(raw: sys::ErlDrvPort, tag: &CStr, text: &str) -> c_int {
    // SAFETY: per the contract.
    let port_id = unsafe { sys::driver_mk_port(raw) };
    let mut spec = tagged_spec(port_id, tag, text);
    // SAFETY: per the contract; the term spec is well-formed and the text outlives the call
    // (the VM copies BUF2BINARY data).
    unsafe { sys::erl_drv_output_term(port_id, spec.as_mut_ptr(), spec.len() as c_int) }
}

/// Sends `{Port, {Tag, <<Text>>}}` to process `to`; returns what `erl_drv_send_term`
/// returns.
///
/// # Safety
/// In a callback of the port `raw`, on its scheduler thread.
pub(crate) unsafe fn send_tagged(raw: sys::ErlDrvPort, to: Pid, tag: &CStr, text: &str) -> c_int {
    // SAFETY: per the contract.
    let port_id = unsafe { sys::driver_mk_port(raw) };
    let mut spec = tagged_spec(port_id, tag, text);
    // SAFETY: as in `output_tagged`.
    unsafe { sys::erl_drv_send_term(port_id, to.as_raw(), spec.as_mut_ptr(), spec.len() as c_int) }
}

/// The term specification of `{Port, {Tag, <<Text>>}}`. Only called on scheduler threads,
/// inside callbacks (`driver_mk_atom` requires it).
fn tagged_spec(port_id: sys::ErlDrvTermData, tag: &CStr, text: &str) -> [sys::ErlDrvTermData; 11] {
    // SAFETY: a NUL-terminated atom name; called from a callback on a scheduler thread.
    let atom = unsafe { sys::driver_mk_atom(tag.as_ptr().cast_mut()) };
    [
        sys::ERL_DRV_PORT,
        port_id,
        sys::ERL_DRV_ATOM,
        atom,
        sys::ERL_DRV_BUF2BINARY,
        text.as_ptr() as sys::ErlDrvTermData,
        text.len() as sys::ErlDrvTermData,
        sys::ERL_DRV_TUPLE,
        2,
        sys::ERL_DRV_TUPLE,
        2,
    ]
}
