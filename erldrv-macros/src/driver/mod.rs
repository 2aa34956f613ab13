//! `#[erl_driver]`: parse, check, expand.

mod ast;
mod call_types;
mod callbacks;
mod check;
mod expand;
mod symbol;

pub use expand::expand;
