//! The `#[erl_driver]` attribute and the `ToTerm` / `FromTerm` / `TermType` derives of
//! [erldrv](https://docs.rs/erldrv).
//!
//! Use them through `erldrv::erl_driver` and `erldrv::term`, where they are documented.
//! This crate only parses, checks and expands: the generated code calls into
//! `erldrv::__private`, where the real work happens.
//!
//! Each macro has its own folder, laid out the same way (parse, check into a model,
//! generate from the model; keywords in one place): `driver` for `#[erl_driver]`,
//! `term` for the derives. What both use, collecting errors and wording messages, is
//! `diag`, at the root because it belongs to neither.

#![deny(missing_docs)]

mod diag;
mod driver;
mod term;

use proc_macro::TokenStream;

/// Turns an `impl erldrv::Driver for T` block into a loadable Erlang driver.
///
/// Emits the `ErlDrvEntry` (the callbacks the block writes are filled in, and the few the
/// framework always needs, listed in `erldrv::Driver`; the rest stay NULL), the C-ABI
/// trampolines' instantiations, and the exported `driver_init`.
///
/// The request callbacks the block writes (`output`, `outputv`, `control`, `call`) get
/// `#[inline]`, so that each is compiled into its trampoline, its only caller; a method
/// with an `inline` attribute of its own (`#[inline(never)]`, say) keeps it.
///
/// Options, comma-separated:
/// - `name = "my_drv"`: the driver name (default: the crate name). It must equal the file
///   name the driver is loaded from, without extension.
/// - `port_locking`: one lock per port instead of one per driver (`ERL_DRV_FLAG_USE_PORT_LOCKING`).
/// - `soft_busy`: `output`/`outputv` may be called while the port is busy, which makes
///   `port_command(P, D, [force])` work (`ERL_DRV_FLAG_SOFT_BUSY`).
/// - `no_busy_msgq`: no busy message-queue limits (`ERL_DRV_FLAG_NO_BUSY_MSGQ`).
/// - `init_ack`: `open_port/2` waits for `Port::init_ack` (`ERL_DRV_FLAG_USE_INIT_ACK`).
/// - `workers = N`, `queue = N`: the driver's worker pool (`erldrv::pool`).
/// - `watch_callers`: the entry gets `process_exit` even when the block does not write
///   it, for `Request::watch_caller` (without it the VM refuses monitors).
/// - `candidate`: no `driver_init`; the library chooses among its candidates when it is
///   loaded, with `erldrv::driver_init!`.
///
/// # Commands
/// Methods of the block marked `#[command]` are the driver's typed commands (the manual,
/// with examples, is the `erldrv::command` module): they move to an inherent `impl` of the
/// type, and the attribute generates their dispatch and their table.
/// - `#[command] fn name(&mut self | &self, [port: &Port,] a: A, ...) -> R`: a sync
///   command, run in `call` with the port's state; arguments decoded with `FromTerm` from
///   the tuple `{A, ...}` (`{}` for none, `{A}` for one), the result encoded with `ToTerm`
///   (`()` as `ok`; `Result<T, E>` as `{ok, T}` / `{error, E}`, `Ok(())` as `ok`).
/// - `#[command(async)] fn name([cancel: &Cancel,] a: A, ...) -> R`: an async command, run
///   on the worker pool without the state (no receiver), with owned arguments; the reply
///   `{ok, V}` / `{error, E}` goes to the caller alone.
/// - A sync command taking only `&[u8]` and returning `Vec<u8>`, `&[u8]` or `Binary` is a
///   bytes command: raw bytes through `control`, a binary back.
/// - `#[command(id = N)]`: the command's number; by default a hash of its name
///   (`erldrv::command::id_of`), stable across builds.
///
/// A block with sync commands cannot write `call`, nor one with bytes commands `control`;
/// two commands of one name or number, an async command with a receiver or a borrowed
/// argument, an argument that is not `FromTerm` or a result that is not `ToTerm` are
/// compile errors at the offending token.
#[proc_macro_attribute]
pub fn erl_driver(args: TokenStream, item: TokenStream) -> TokenStream {
    driver::expand(args.into(), item.into())
        .unwrap_or_else(diag::Failed::into_tokens)
        .into()
}

/// The generated code refers to `::erldrv::term`: the crate that uses the derive depends on
/// `erldrv` under that name.
#[proc_macro_derive(ToTerm, attributes(term))]
pub fn derive_to_term(item: TokenStream) -> TokenStream {
    term::expand(term::Derive::ToTerm, item.into()).into()
}

/// The generated code refers to `::erldrv::term`: the crate that uses the derive depends on
/// `erldrv` under that name.
#[proc_macro_derive(FromTerm, attributes(term))]
pub fn derive_from_term(item: TokenStream) -> TokenStream {
    term::expand(term::Derive::FromTerm, item.into()).into()
}

/// The generated code refers to `::erldrv::term`: the crate that uses the derive depends on
/// `erldrv` under that name.
#[proc_macro_derive(TermType, attributes(term))]
pub fn derive_term_type(item: TokenStream) -> TokenStream {
    term::expand(term::Derive::TermType, item.into()).into()
}
