// The work of `port_call(Port, 1, {add, Int, Binary})`, shared by both erldrv bench drivers
// (included with `#[path]`), so that they differ only in how the arguments are decoded.

use erldrv::CallError;
use erldrv::term::AtomName;

/// The `port_call` command of the typed call, in every bench driver (C included).
pub const ADD: u32 = 1;

/// `Int + byte_size(Binary)` for `{add, Int, Binary}`; as in the C driver, any other
/// operation, or a sum that does not fit in 64 bits, is refused.
#[inline]
pub fn add(op: AtomName<'_>, n: i64, binary: &[u8]) -> Result<i64, CallError> {
    if !op.is("add") {
        return Err(CallError::badarg("expected the operation `add`"));
    }
    i64::try_from(binary.len())
        .ok()
        .and_then(|len| n.checked_add(len))
        .ok_or_else(|| CallError::badarg("the sum does not fit in 64 bits"))
}
