//! Build time (`--build`): clean `cargo build --release -j2` of three throwaway projects, each
//! with its own target directory under the system's temporary directory, timed `reps` times,
//! interleaved (each repetition builds all three in turn, from clean):
//! - **graceful**: a binary using `#[graceful::main]` and `#[graceful::on_shutdown]`, depending
//!   on the facade by path;
//! - **baseline**: what graceful is built from, minus graceful: a proc-macro crate that parses
//!   with syn 3 (graceful-macros' features) and quote, and a binary using it and signal-hook;
//! - **tokio-graceful-shutdown**: its README's program, with the tokio features it needs.
//!
//! Each project gets this workspace's `Cargo.lock` and `rust-toolchain.toml`, so shared crates
//! resolve to the same versions and the same compiler builds them. Downloads happen before the
//! clock starts (`cargo fetch`).

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::Instant,
};

use super::{progress, stats};

pub(crate) struct Project {
    pub(crate) label: &'static str,
    dir: &'static str,
    files: fn(&Path) -> Vec<(&'static str, String)>,
}

pub(crate) const PROJECTS: [Project; 3] = [
    Project {
        label: "baseline: syn 3 + quote (a proc-macro) + signal-hook",
        dir: "baseline",
        files: baseline,
    },
    Project {
        label: "graceful (the facade)",
        dir: "graceful",
        files: facade,
    },
    Project {
        label: "tokio-graceful-shutdown 0.20 + tokio",
        dir: "tokio-graceful-shutdown",
        files: tgs,
    },
];

const PACKAGE: &str = "version = \"0.0.0\"\nedition = \"2024\"\npublish = false\n";

fn facade(root: &Path) -> Vec<(&'static str, String)> {
    vec![
        (
            "Cargo.toml",
            format!(
                "[package]\nname = \"bt-graceful\"\n{PACKAGE}\n[dependencies]\ngraceful = {{ path = {:?} }}\n\n[workspace]\n",
                root.display().to_string()
            ),
        ),
        (
            "src/main.rs",
            "#[graceful::main]\nfn main() -> Result<(), graceful::Shutdown> {\n    graceful::check()?;\n    Ok(())\n}\n\n#[graceful::on_shutdown]\nfn cleanup() {}\n".into(),
        ),
    ]
}

fn baseline(_: &Path) -> Vec<(&'static str, String)> {
    vec![
        (
            "Cargo.toml",
            format!(
                "[package]\nname = \"bt-baseline\"\n{PACKAGE}\n[dependencies]\nbt-macro = {{ path = \"macro\" }}\nsignal-hook = \"0.4\"\n\n[workspace]\nmembers = [\"macro\"]\n"
            ),
        ),
        (
            "macro/Cargo.toml",
            format!(
                "[package]\nname = \"bt-macro\"\n{PACKAGE}\n[lib]\nproc-macro = true\n\n[dependencies]\nsyn = {{ version = \"3\", default-features = false, features = [\"full\", \"parsing\", \"printing\", \"proc-macro\"] }}\nquote = {{ version = \"1\", default-features = false }}\nproc-macro2 = {{ version = \"1\", default-features = false }}\n"
            ),
        ),
        (
            "macro/src/lib.rs",
            "use proc_macro::TokenStream;\n\n#[proc_macro_attribute]\npub fn main(_: TokenStream, item: TokenStream) -> TokenStream {\n    let f: syn::ItemFn = syn::parse(item).expect(\"a fn\");\n    quote::quote!(#f).into()\n}\n".into(),
        ),
        (
            "src/main.rs",
            "#[bt_macro::main]\nfn main() {\n    let _ = signal_hook::iterator::Signals::new([signal_hook::consts::SIGTERM]);\n}\n".into(),
        ),
    ]
}

fn tgs(_: &Path) -> Vec<(&'static str, String)> {
    vec![
        (
            "Cargo.toml",
            format!(
                "[package]\nname = \"bt-tgs\"\n{PACKAGE}\n[dependencies]\ntokio-graceful-shutdown = \"0.20\"\ntokio = {{ version = \"1\", default-features = false, features = [\"rt\", \"macros\"] }}\n\n[workspace]\n"
            ),
        ),
        (
            "src/main.rs",
            "use std::time::Duration;\nuse tokio_graceful_shutdown::{SubsystemBuilder, SubsystemHandle, Toplevel};\n\nasync fn subsys1(subsys: &mut SubsystemHandle) -> Result<(), std::io::Error> {\n    subsys.on_shutdown_requested().await;\n    Ok(())\n}\n\n#[tokio::main(flavor = \"current_thread\")]\nasync fn main() -> Result<(), String> {\n    Toplevel::new(async |s: &mut SubsystemHandle| {\n        s.start(SubsystemBuilder::new(\"Subsys1\", subsys1));\n    })\n    .catch_signals()\n    .handle_shutdown_requests(Duration::from_millis(1000))\n    .await\n    .map_err(|e| e.to_string())\n}\n".into(),
        ),
    ]
}

/// Medians over the repetitions, in seconds, and the crates compiled.
pub(crate) struct Row {
    pub(crate) secs: Vec<f64>,
    pub(crate) median: f64,
    pub(crate) crates: usize,
    pub(crate) failure: Option<String>,
}

impl Row {
    fn empty() -> Row {
        Row {
            secs: Vec::new(),
            median: f64::NAN,
            crates: 0,
            failure: None,
        }
    }
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.env("CARGO_INCREMENTAL", "0").env_remove("RUSTFLAGS");
    cmd
}

fn write_project(base: &Path, root: &Path, p: &Project) -> std::io::Result<PathBuf> {
    let dir = base.join(p.dir);
    let _ = std::fs::remove_dir_all(&dir);
    for (name, text) in (p.files)(root) {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("a parent"))?;
        std::fs::write(path, text)?;
    }
    for shared in ["Cargo.lock", "rust-toolchain.toml"] {
        if root.join(shared).exists() {
            std::fs::copy(root.join(shared), dir.join(shared))?;
        }
    }
    Ok(dir)
}

/// One clean release build of `dir`: seconds and the number of crates compiled.
fn build(dir: &Path) -> Result<(f64, usize), String> {
    let _ = std::fs::remove_dir_all(dir.join("target"));
    timed_build(dir, &["build", "--release", "-j2"])
}

/// `cargo <args>` in `dir` (its own target directory), timed: seconds and the number of
/// crates compiled.
fn timed_build(dir: &Path, args: &[&str]) -> Result<(f64, usize), String> {
    let start = Instant::now();
    let out = cargo()
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .map_err(|e| e.to_string())?;
    let secs = start.elapsed().as_secs_f64();
    let log = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(log.lines().rev().take(15).collect::<Vec<_>>().join("\n"));
    }
    let crates = log
        .lines()
        .filter(|l| l.trim_start().starts_with("Compiling "))
        .count();
    Ok((secs, crates))
}

/// Build each project `reps` times from clean, interleaved. `root` is this workspace.
pub(crate) fn run(root: &Path, reps: usize) -> Vec<Row> {
    let base = std::env::temp_dir().join("graceful-bench-build");
    let mut rows: Vec<Row> = PROJECTS.iter().map(|_| Row::empty()).collect();
    let mut dirs = Vec::new();
    for (p, row) in PROJECTS.iter().zip(&mut rows) {
        let prepared = write_project(&base, root, p)
            .map_err(|e| e.to_string())
            .and_then(|dir| {
                let fetched = cargo()
                    .args(["fetch", "--quiet"])
                    .current_dir(&dir)
                    .status()
                    .map_err(|e| e.to_string())?;
                if fetched.success() {
                    Ok(dir)
                } else {
                    Err("cargo fetch failed".to_string())
                }
            });
        match prepared {
            Ok(dir) => dirs.push(Some(dir)),
            Err(e) => {
                row.failure = Some(e);
                dirs.push(None);
            }
        }
    }
    let n = PROJECTS.len();
    for rep in 0..reps {
        for k in 0..n {
            let i = (rep + k) % n;
            progress("build", rep * n + k, reps * n);
            let Some(dir) = &dirs[i] else { continue };
            match build(dir) {
                Ok((secs, crates)) => {
                    rows[i].secs.push(secs);
                    rows[i].crates = crates;
                }
                Err(e) => {
                    rows[i].failure = Some(e);
                    dirs[i] = None;
                }
            }
        }
    }
    for row in &mut rows {
        let mut secs = row.secs.clone();
        row.median = stats::median(&mut secs);
    }
    for dir in dirs.into_iter().flatten() {
        let _ = std::fs::remove_dir_all(dir.join("target"));
    }
    rows
}

/// The hook graph's build cost: a user crate with this many `#[graceful::on_shutdown]` hooks.
pub(crate) const GRAPH_HOOKS: usize = 100;

/// One user crate of [`graph`].
pub(crate) struct GraphCrate {
    pub(crate) label: &'static str,
    package: &'static str,
    /// The attribute's arguments for hook `i`.
    args: fn(usize) -> String,
}

/// The two user crates of [`graph`].
pub(crate) const GRAPH_CRATES: [GraphCrate; 2] = [
    GraphCrate {
        label: "100 hooks, `order = N` each",
        package: "bt-order",
        args: |i| format!("order = {i}"),
    },
    GraphCrate {
        label: "100 hooks, `after = <the previous hook>` each but the first",
        package: "bt-after",
        args: |i| {
            if i == 0 {
                String::new()
            } else {
                format!("after = hook_{}", i - 1)
            }
        },
    },
];

fn graph_crate(package: &str, args: fn(usize) -> String) -> (String, String) {
    let manifest = format!(
        "[package]\nname = \"{package}\"\n{PACKAGE}\n[dependencies]\ngraceful.workspace = true\n"
    );
    let mut main = String::from("#[graceful::main]\nfn main() {}\n");
    for i in 0..GRAPH_HOOKS {
        let args = args(i);
        let attr = if args.is_empty() {
            "#[graceful::on_shutdown]".to_string()
        } else {
            format!("#[graceful::on_shutdown({args})]")
        };
        main.push_str(&format!(
            "\n{attr}\nfn hook_{i}() {{\n    std::hint::black_box({i});\n}}\n"
        ));
    }
    (manifest, main)
}

/// Time rebuilding only the user crate of each of [`GRAPH_CRATES`], `reps` times each,
/// interleaved: one workspace holding both, built whole once (graceful and its dependencies,
/// untimed), then per sample `cargo clean --release -p <crate>` and
/// `cargo build --release -j2 -p <crate>`, timed.
pub(crate) fn graph(root: &Path, reps: usize) -> Vec<Row> {
    let mut rows: Vec<Row> = GRAPH_CRATES.iter().map(|_| Row::empty()).collect();
    let dir = std::env::temp_dir()
        .join("graceful-bench-build")
        .join("graph");
    let prepared = (|| -> Result<(), String> {
        let _ = std::fs::remove_dir_all(&dir);
        let members: Vec<String> = GRAPH_CRATES
            .iter()
            .map(|c| format!("{:?}", c.package))
            .collect();
        let mut files = vec![(
            "Cargo.toml".to_string(),
            format!(
                "[workspace]\nmembers = [{}]\nresolver = \"3\"\n\n[workspace.dependencies]\ngraceful = {{ path = {:?} }}\n",
                members.join(", "),
                root.display().to_string()
            ),
        )];
        for GraphCrate { package, args, .. } in GRAPH_CRATES {
            let (manifest, main) = graph_crate(package, args);
            files.push((format!("{package}/Cargo.toml"), manifest));
            files.push((format!("{package}/src/main.rs"), main));
        }
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().expect("a parent")).map_err(|e| e.to_string())?;
            std::fs::write(path, text).map_err(|e| e.to_string())?;
        }
        for shared in ["Cargo.lock", "rust-toolchain.toml"] {
            if root.join(shared).exists() {
                std::fs::copy(root.join(shared), dir.join(shared)).map_err(|e| e.to_string())?;
            }
        }
        // graceful and its dependencies, once, untimed.
        timed_build(&dir, &["build", "--release", "-j2", "--workspace"]).map(|_| ())
    })();
    if let Err(e) = prepared {
        for row in &mut rows {
            row.failure = Some(e.clone());
        }
        return rows;
    }
    let n = GRAPH_CRATES.len();
    for rep in 0..reps {
        for k in 0..n {
            let i = (rep + k) % n;
            progress("graph build", rep * n + k, reps * n);
            if rows[i].failure.is_some() {
                continue;
            }
            match rebuild(&dir, GRAPH_CRATES[i].package) {
                Ok((secs, crates)) => {
                    rows[i].secs.push(secs);
                    rows[i].crates = crates;
                }
                Err(e) => rows[i].failure = Some(e),
            }
        }
    }
    for row in &mut rows {
        let mut secs = row.secs.clone();
        row.median = stats::median(&mut secs);
    }
    let _ = std::fs::remove_dir_all(dir.join("target"));
    rows
}

/// `cargo clean --release -p package`, then a timed `cargo build --release -j2 -p package`:
/// seconds and the number of crates compiled (1, when only the user crate is rebuilt).
fn rebuild(dir: &Path, package: &str) -> Result<(f64, usize), String> {
    let cleaned = cargo()
        .args(["clean", "--quiet", "--release", "-p", package])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .status()
        .map_err(|e| e.to_string())?;
    if !cleaned.success() {
        return Err(format!("cargo clean -p {package} failed"));
    }
    timed_build(dir, &["build", "--release", "-j2", "-p", package])
}
