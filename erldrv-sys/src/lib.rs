//! Raw bindings to `erl_driver.h`, the C API for Erlang linked-in port
//! drivers, driver version 3.3 (Erlang/OTP 17 and later; written against
//! OTP 25).
//!
//! Every type, constant and function keeps its C name, so `man 3erl
//! erl_driver` and `man 3erl driver_entry` document this crate as well.
//! Items are grouped by the header that declares them:
//!
//! - [`erl_drv_nif`]: `erl_drv_nif.h`, shared with the NIF API
//!   ([`ErlDrvSysInfo`], [`ErlDrvMonitor`], [`SysIOVec`], ...);
//! - [`erl_driver`]: `erl_driver.h` itself ([`ErlDrvEntry`], the
//!   `driver_*` and `erl_drv_*` functions, the term-spec constants, ...).
//!
//! Both are re-exported here, so `erldrv_sys::ErlDrvEntry` works.
//!
//! C enums (`ErlDrvTimeUnit`, `ErlDirtyJobFlags`, `enum ErlNifSelectFlags`)
//! are `c_int` type aliases with one constant per member. Handles the C
//! header declares as pointers to incomplete structs are pointers to
//! opaque, zero-sized `#[repr(C)]` structs named after the C struct tag.
//!
//! # Checked against the installed header
//!
//! The integration tests locate the header through the `erl` on `PATH` and
//! compile generated C with the system C compiler: the size, alignment and
//! every field offset of each struct, the size and signedness of each
//! typedef, and the value of each constant are compared with
//! `_Static_assert`. They also check that every constant, enum member and
//! function of the header has a binding here, and that each function
//! signature and callback field type is compatible with the C declaration.
//! The tests fail (they never skip) when Erlang/OTP is missing.
//!
//! # Platforms
//!
//! Unix only (Linux and macOS). The Windows flavour of the header, where a
//! dynamic driver reaches the runtime through a callback table
//! (`erl_win_dyn_driver.h`) and `SysIOVec` has another layout, is out of
//! scope. `erl_fixed_size_int_types.h` is not included by `erl_driver.h`
//! and is not part of the driver API, so it is not bound either.
//!
//! # Linking
//!
//! There is no `#[link]` attribute: a driver is a shared library whose
//! references to these functions stay undefined until the runtime
//! (`beam.smp`) loads it. On Linux that is the default for shared
//! libraries. On macOS the linker must be told with `-undefined
//! dynamic_lookup`; Cargo only applies `cargo:rustc-cdylib-link-arg` to
//! the package whose build script prints it, so the crate that builds the
//! driver's `cdylib` has to emit
//! `cargo:rustc-cdylib-link-arg=-undefined` and
//! `cargo:rustc-cdylib-link-arg=dynamic_lookup` itself when
//! `CARGO_CFG_TARGET_OS` is `macos`.
//!
//! # Deprecated functions
//!
//! `driver_output_term`, `driver_send_term` and `driver_get_now`, which the
//! header marks as deprecated, are bound but carry `#[deprecated]`. Use
//! [`erl_drv_output_term`], [`erl_drv_send_term`] and
//! [`erl_drv_monotonic_time`] instead. The old select names `DO_READ` and
//! `DO_WRITE` are deprecated the same way.
//!
//! # Not bound
//!
//! Functions declared in the header that deliberately have no binding:
//!
//! - `dtrace_drvport_str`: an internal helper for dynamic tracing,
//!   declared outside the driver API section of the header. Only runtimes
//!   built with DTrace or SystemTap support export it, so a driver calling
//!   it would fail to load on other runtimes.

#![no_std]
#![deny(missing_docs)]

#[allow(non_camel_case_types, non_upper_case_globals)]
pub mod erl_driver;
pub mod erl_drv_nif;

pub use erl_driver::*;
pub use erl_drv_nif::*;
