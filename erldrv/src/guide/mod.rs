//! The guide: writing, calling and porting drivers, chapter by chapter.
//!
//! Each chapter builds on one small driver and shows all of its code. Those drivers are
//! also test drivers of this repository (`beam-tests/drivers/guide_*`): `cargo test` runs
//! each of them in a real `erl` with the Erlang calls the chapter shows, and checks that
//! the chapter's code is the driver's. The Rust examples are compiled as doctests.
//!
//! 1. [Your first driver](first_driver): the crate, the attribute, loading and calling it.
//! 2. [Typed calls and terms](typed_calls): `call`, `FromTerm`/`ToTerm`, derives,
//!    `#[command]` and generated clients.
//! 3. [Async work and many callers](async_work): the worker pool, requests and their
//!    replies, cancellation, ordered jobs, backpressure, futures.
//! 4. [Events and select](select): descriptors the VM waits on for the driver.
//! 5. [Timers and long work on the scheduler](timers): the port timer and work in time
//!    slices.
//! 6. [The queue, flush and busy ports](queue): data kept by reference, flow control.
//! 7. [Panics, failures and what the caller sees](failures).
//! 8. [Testing your driver](testing): the driver in a real `erl` from its crate's own
//!    `cargo test`, with `erldrv-test`.
//! 9. [Shipping it](shipping): precompiled drivers, so that your users need no Rust.
//! 10. [Porting a C driver](porting): a C driver and its erldrv version side by side.
//!
//! The reference stays in the API docs: [`Driver`](crate::Driver) for each callback,
//! [`Port`](crate::Port) for what a callback may do, [`erl_driver`](crate::erl_driver) for
//! the attribute's options, [`c_api`](crate::c_api) for the C API function by function.

#[doc = include_str!("first_driver.md")]
pub mod first_driver {}

#[doc = include_str!("typed_calls.md")]
pub mod typed_calls {}

#[doc = include_str!("async_work.md")]
pub mod async_work {}

#[doc = include_str!("select.md")]
pub mod select {}

#[doc = include_str!("timers.md")]
pub mod timers {}

#[doc = include_str!("queue.md")]
pub mod queue {}

#[doc = include_str!("failures.md")]
pub mod failures {}

#[doc = include_str!("testing.md")]
pub mod testing {}

#[doc = include_str!("shipping.md")]
pub mod shipping {}

#[doc = include_str!("porting.md")]
pub mod porting {}
