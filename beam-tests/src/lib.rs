//! Tests live in `tests/`; the drivers they load live in `drivers/`.

// The repository's README: its Rust examples are compiled as doctests (with erldrv as a
// dev-dependency), so that they stay true. Here rather than in erldrv, whose published
// crate cannot reach files outside its directory.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExamples;
