//! `erldrv_commands_drv`: the command side of the bench's `command_*` rows, the same work as
//! two rows of hand-written erldrv code, called through the client module `erldrv_gen`
//! generates from this driver when the bench starts.
//!
//! - `add`, a sync command: `erldrv_bench_client:add(Port, add, Int, Binary)` →
//!   `{ok, Int + byte_size(Binary)}`, the work of `erldrv_typed_drv`'s `call` (the
//!   `call_typed` row), with the same arguments on the wire (`{add, Int, Binary}`).
//! - `echo`, a bytes command: `erldrv_bench_client:echo(Port, Data)` → `Data`, through
//!   `port_control` in binary mode, the work of `erldrv_bench_drv`'s control echo (the
//!   `control_echo_*_binary` rows).
#![forbid(unsafe_code)]

use erldrv::term::AtomName;
use erldrv::{CallError, Driver, Port, StartError, erl_driver};

#[path = "../../add.rs"]
#[expect(
    dead_code,
    reason = "add::ADD numbers the hand-written drivers' call; commands are numbered by name"
)]
mod add;

/// One bench port; it needs no state.
pub struct Commands;

#[erl_driver(name = "erldrv_commands_drv")]
impl Driver for Commands {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Commands)
    }

    /// `n + byte_size(binary)` for the operation `add`.
    #[command]
    fn add(op: AtomName<'_>, n: i64, binary: &[u8]) -> Result<i64, CallError> {
        add::add(op, n, binary)
    }

    /// The bytes, as they came.
    #[command]
    fn echo(data: &[u8]) -> &[u8] {
        data
    }
}
