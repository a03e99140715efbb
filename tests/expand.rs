//! Expansion snapshots: each file in `tests/expand/` is expanded with `cargo expand` and
//! compared with its `.expanded.rs`, so any change to what the attributes write shows up as a
//! diff in review. Bless after an intended change, then read the diff:
//!
//! ```text
//! MACROTEST=overwrite cargo test --test expand
//! ```
//!
//! Without `MACROTEST`, a missing `.expanded.rs` fails instead of being written. Needs
//! `cargo-expand` on the `PATH` (`.ci/run` installs the pinned version); outside CI the test
//! is skipped, with a note, when it is missing. The snapshots are blessed with the toolchain
//! of `rust-toolchain.toml`: `format_args!` and derives expand differently from one rustc to
//! the next, so the inputs avoid them.
//!
//! `harness = false`: the environment is set while this is the process's only thread.

use std::{ffi::OsString, process::Command};

fn main() {
    let has_cargo_expand = Command::new("cargo")
        .args(["expand", "--version"])
        .output()
        .is_ok_and(|out| out.status.success());
    if !has_cargo_expand && std::env::var_os("CI").is_none() {
        eprintln!("expand: cargo-expand is not installed; skipping the expansion snapshots");
        return;
    }
    // `file!()` expands to the path rustc was given, which macrotest makes absolute: map the
    // checkout's root away so the snapshots do not depend on where the repository lives.
    let mut flags = std::env::var_os("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    if !flags.is_empty() {
        flags.push("\x1f");
    }
    flags.push(OsString::from(format!(
        "--remap-path-prefix={}/=",
        env!("CARGO_MANIFEST_DIR")
    )));
    // SAFETY: no other thread exists yet (`harness = false`), so nothing reads the
    // environment while it changes.
    unsafe { std::env::set_var("CARGO_ENCODED_RUSTFLAGS", flags) };
    // One file at a time: given a glob, macrotest numbers the files it matches, `.expanded.rs`
    // included, and names each crate after its number, which `module_path!()` then shows. Alone,
    // a file's crate is named after the file.
    let mut inputs: Vec<_> = std::fs::read_dir("tests/expand")
        .expect("tests/expand")
        .map(|entry| entry.expect("tests/expand").path())
        .filter(|path| {
            let name = path.to_string_lossy();
            name.ends_with(".rs") && !name.ends_with(".expanded.rs")
        })
        .collect();
    inputs.sort();
    let bless = std::env::var_os("MACROTEST").is_some();
    let failed: Vec<_> = inputs
        .iter()
        .filter(|input| {
            std::panic::catch_unwind(|| {
                if bless {
                    macrotest::expand(input);
                } else {
                    macrotest::expand_without_refresh(input);
                }
            })
            .is_err()
        })
        .collect();
    assert!(failed.is_empty(), "expansions differ: {failed:?}");
    println!("expand: {} snapshots match", inputs.len());
}
