//! The runtime behind `#[erl_driver]`. The attribute only builds a [`Slots`] value; what
//! runs lives here, as ordinary generic functions.
//!
//! The life of one callback, in three files: [`entry`] puts a trampoline into the slot of
//! the driver entry; [`callbacks`] holds the trampoline, which turns the VM's pointers into
//! safe views, enters the port's bookkeeping ([`crate::state`]), runs the trait method
//! ([`crate::driver::Driver`]) under [`crate::panic::catch`], and leaves (running deferred
//! actions); each callback's BEAM test is named in the trait method's docs.

mod callbacks;
mod create;
mod entry;

pub use create::{CreatePortError, CreatePortErrorKind};
pub use entry::{Entry, EntryCell, Slots, choose_driver, driver_init, entry, same_name};
