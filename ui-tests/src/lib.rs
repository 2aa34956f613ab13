//! Compile-fail tests of `#[erl_driver]` live in `tests/`.
