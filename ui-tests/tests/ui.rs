//! Compile-fail tests of `#[erl_driver]` and of `#[derive(ToTerm, FromTerm)]` (`derive-*`):
//! each file in `ui/` makes one mistake, and its `.stderr` holds the diagnostic the macro
//! must give for it. Files in `pass/` must build and run.
//!
//! Re-bless after changing a message: `TRYBUILD=overwrite cargo test -p ui-tests`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/pass/*.rs");
}
