//! Erlang linked-in port drivers in safe Rust.
//!
//! A driver is a shared library the BEAM loads with `erl_ddll:load_driver/2`; each
//! `open_port({spawn_driver, Name}, Opts)` creates a port served by its callbacks, running
//! inside the VM at native speed. `erldrv` lets you write those callbacks as a Rust trait:
//!
//! ```no_run
//! use erldrv::{Badarg, Driver, Port, Reply, StartError, erl_driver};
//!
//! struct Echo;
//!
//! #[erl_driver(name = "echo_drv")]
//! impl Driver for Echo {
//!     fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
//!         Ok(Echo)
//!     }
//!
//!     fn output(&mut self, port: &Port, data: &[u8]) {
//!         port.output(data);
//!     }
//!
//!     fn control(&mut self, _: &Port, _cmd: u32, data: &[u8], reply: &mut Reply) -> Result<(), Badarg> {
//!         reply.extend_from_slice(data);
//!         Ok(())
//!     }
//! }
//! ```
//!
//! Build it as a `cdylib`, install `libecho_drv.so` as `echo_drv.so`, then from Erlang:
//!
//! ```erlang
//! ok = erl_ddll:load_driver(Dir, "echo_drv"),
//! Port = open_port({spawn_driver, "echo_drv"}, [binary]),
//! port_command(Port, <<"hi">>),
//! receive {Port, {data, <<"hi">>}} -> ok end.
//! ```
//!
//! The [guide] walks through drivers chapter by chapter: a first driver, typed calls and
//! commands, async work, select, timers, the queue, failures, and porting a C driver.
//!
//! # What the framework guarantees
//! - **No panic unwinds into the VM.** Every callback runs under `catch_unwind`; a panicking
//!   port callback closes its port with reason `erldrv_panic` after sending the panic message
//!   to the owner (see [`Driver`] for each callback, and for the one case Rust makes fatal: a
//!   panic while another unwinds, such as a panicking `Drop`, aborts the process). Building
//!   with `panic = "abort"` is a compile error, since
//!   there would be nothing to catch.
//! - **NULL means NULL.** Callbacks you do not write stay NULL in the driver entry, so the
//!   VM's own defaults apply (`stop`, `timeout`, `stop_select` and `finish` are always
//!   filled: the framework needs them, and they do nothing you did not write beyond the
//!   framework's own work; `process_exit` also with `#[erl_driver(watch_callers)]`).
//! - **The driver is chosen when it loads.** [`driver_init!`] presents one of several
//!   `#[erl_driver(candidate)]` drivers, picked from the environment, or refuses the load
//!   with a reason.
//! - **Threads never outlive the driver.** Threads started with [`thread::spawn`] or
//!   [`drv_thread::spawn`] (the VM's own threads), the
//!   [worker pool](pool)'s and the async runtime's (feature `tokio`) are stopped and joined
//!   at unload, before the VM unmaps the library (the pool and the runtime wait a bounded
//!   time, then keep the library mapped for what still runs).
//! - **No re-entrancy surprises.** Actions that make the VM call back into the driver
//!   ([`Port::exit`], [`Port::init_ack`], [`Driver::spawn_async`]) run after the current
//!   callback has returned — from a zero timer when requested in `start` (the VM is not
//!   ready for them yet) or, for a close, in `process_exit` (closing there crashes the VM).
//! - **Thread rules in types.** [`Port`] is neither `Send` nor `Sync`; `stop_select` gets no
//!   port at all, since it may not use the driver API. What other threads may do, sending
//!   term messages, goes through a [`Sender`] ([`Port::sender`]).
//! - **Descriptors by ownership.** [`Port::select`] takes a descriptor the driver holds
//!   (`AsFd`), never a bare number that may belong to one of the VM's own ports; turning an
//!   integer into an [`Event`] is `unsafe`. [`Port::select_owned`] keeps the descriptor open
//!   until the VM is done with it, and releases it when its port closes. Both report, as an
//!   `io::Error`, what the VM would accept and then fail on (a descriptor it cannot poll).
//! - **The driver queue without copies, from any thread.** [`Port::queue`] reads the queued
//!   binaries in place; [`Port::queue_handle`] gives other threads the same, under the VM's
//!   port data lock, and takes it back when the port stops, so a handle that outlives its
//!   port is harmless.
//!
//! # Terms
//! [`term`] reads and writes Erlang terms. [`Driver::call`] is typed: `port_call/3`
//! arguments are decoded into the type the method takes, its result is encoded back, and
//! arguments that do not fit never reach the driver (the caller gets a message saying what
//! was expected). [`Port::output_term`] and [`Port::send_term`] send any
//! [`ToTerm`](term::ToTerm) value as a message.
//!
//! The raw API is re-exported as [`sys`] (`erldrv-sys`).

#![deny(missing_docs)]

#[cfg(not(panic = "unwind"))]
compile_error!(
    "erldrv needs `panic = \"unwind\"`: with `panic = \"abort\"` a panic in a driver callback \
     aborts the whole Erlang VM, and there is nothing to catch. Remove `panic = \"abort\"` from \
     the profile in Cargo.toml."
);

mod alloc;
mod binary;
#[doc = include_str!("c_api.md")]
pub mod c_api {}
pub mod command;
pub mod dl;
mod driver;
pub mod drv_sync;
pub mod drv_thread;
pub mod env;
mod errno;
mod error;
pub mod guide;
mod ids;
mod iovec;
mod jobs;
mod panic;
mod pdl;
pub mod pool;
mod port;
mod portinfo;
mod queue;
mod reply;
mod request;
mod rt;
#[cfg(feature = "tokio")]
pub mod runtime;
mod select;
mod sender;
mod state;
mod sysinfo;
mod tell;
pub mod term;
pub mod thread;
pub mod time;

pub use alloc::{DriverAllocator, DriverBuf, OutOfMemory};
pub use binary::Binary;
pub use driver::Driver;
pub use erldrv_macros::erl_driver;
pub use errno::errno_name;
pub use error::{AtomError, DemonitorError, MonitorError};
pub use error::{Badarg, CallError, ExitReason, InitError, JobPanic, StartError};
pub use ids::{Monitor, Pid, PortId};
pub use iovec::{IoVec, IoVecLike, OwnedIoVec, Segment};
pub use pool::{Busy, Cancel, Cancelled};
pub use port::Port;
pub use portinfo::{BusyMsgqError, BusyMsgqLimits, OpenFlags};
pub use queue::{QueueError, QueueGuard, QueueHandle};
pub use reply::Reply;
pub use request::Request;
pub use rt::{CreatePortError, CreatePortErrorKind, Entry};
pub use select::{Event, SelectMode};
pub use sender::Sender;
pub use sysinfo::{SystemInfo, system_info};

/// The raw `erl_driver.h` API (`erldrv-sys`).
pub use erldrv_sys as sys;

/// Used by the code `#[erl_driver]` and the term derives generate; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::driver::DriverEntry;
    pub use crate::rt::{EntryCell, Slots, choose_driver, driver_init, entry, same_name};
    pub use erldrv_sys as sys;

    /// Used by the dispatch of `#[command]` methods.
    pub mod command {
        pub use crate::command::{
            ArgError, ArgInfo, BytesReply, CommandInfo, CommandKind, SyncOut, arg, arity, end,
            from_result, from_value, input_of, output_of, reply, spawn, unknown, unknown_async,
        };
        pub use crate::error::{Badarg, CallError};
        pub use crate::pool::Cancel;
        pub use crate::port::Port;
        pub use crate::reply::Reply;
        pub use crate::term::{Decoder, TermWriter};
    }

    /// Used by the code `#[derive(FromTerm)]` generates.
    pub mod term {
        pub use crate::term::derive::*;
        pub use crate::term::types::derive::*;
    }
}

// The crate's README (the page crates.io shows) is compiled as a doctest, so that it stays
// true. The repository's README is checked by `beam-tests`: a packaged crate cannot reach it.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExample;

/// Chooses, when the VM loads the library, which driver it presents: writes the library's
/// `driver_init` for candidates marked `#[erl_driver(candidate)]`.
///
/// `driver_init!([A, B, ...], choose)`: `choose` is a function or closure
/// `FnOnce() -> Result<Entry, InitError>` that runs once per load, inside
/// `erl_ddll:load_driver/2` (on a scheduler thread, before the entry's `init` and before
/// any port), and returns the [`Entry`] of one candidate, chosen from the environment: CPU
/// features, the OS, a library that can be opened, [`env::var`] (the VM's environment, as
/// `os:putenv/2` sets it). The VM then runs the chosen driver's
/// [`init`](Driver::init) and uses its callbacks, flags and options for every port.
///
/// The candidates share one driver name (the library's file name); a list whose names
/// differ does not compile. Each candidate type has its own entry, built at compile time as
/// for a single driver, so a candidate's unwritten callbacks are NULL in the entry it
/// presents.
///
/// `Err(InitError)` refuses to load: the VM reports `{error, driver_init_failed}` (its only
/// word for it: `erl_ddll:format_error/1` says "Driver init failed", whatever the driver
/// wrote), `erldrv:load/2` raises with the reason, and the reason is written to standard
/// error; the library is unloaded. A panic in `choose` refuses the same way, with the panic
/// message.
///
/// ```no_run
/// use erldrv::{Driver, Entry, InitError, Port, Reply, Badarg, StartError, erl_driver};
///
/// struct Fast;
/// struct Portable;
///
/// #[erl_driver(name = "sum_drv", candidate, port_locking)]
/// impl Driver for Fast {
///     fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
///         Ok(Fast)
///     }
///     fn control(&mut self, _: &Port, _: u32, _: &[u8], reply: &mut Reply)
///         -> Result<(), Badarg>
///     {
///         reply.extend_from_slice(b"fast");
///         Ok(())
///     }
/// }
///
/// #[erl_driver(name = "sum_drv", candidate)]
/// impl Driver for Portable {
///     fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
///         Ok(Portable)
///     }
/// }
///
/// erldrv::driver_init!([Fast, Portable], || {
///     match erldrv::env::var("SUM_DRV_MODE").as_deref() {
///         Some("off") => Err(InitError::new("SUM_DRV_MODE=off: sum_drv is disabled")),
///         _ if std::thread::available_parallelism().map_or(1, |n| n.get()) > 1 => {
///             Ok(Entry::of::<Fast>())
///         }
///         _ => Ok(Entry::of::<Portable>()),
///     }
/// });
/// ```
#[macro_export]
macro_rules! driver_init {
    ([$first:ty $(, $rest:ty)* $(,)?], $choose:expr $(,)?) => {
        const _: () = {
            $(
                ::core::assert!(
                    ::erldrv::__private::same_name(
                        <$first as ::erldrv::__private::DriverEntry>::NAME,
                        <$rest as ::erldrv::__private::DriverEntry>::NAME,
                    ),
                    "the candidates of erldrv::driver_init! must have the same driver name",
                );
            )*

            /// Called by the VM when it loads the driver: chooses the driver entry.
            #[unsafe(no_mangle)]
            pub extern "C" fn driver_init() -> *mut ::erldrv::__private::sys::ErlDrvEntry {
                ::erldrv::__private::choose_driver::<$first>($choose)
            }
        };
    };
}
