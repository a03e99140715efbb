//! Compile-fail cases for the attributes, one mistake per file in `tests/ui/`, each with the
//! compiler's output in its `.stderr`; and cases in `tests/ui/pass/` that must build and run.
//! Regenerate the snapshots with `TRYBUILD=overwrite cargo test --test ui` and read the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
