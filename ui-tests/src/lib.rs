//! Compile-fail tests of `#[erl_driver]` and the term derives live in `tests/`.
