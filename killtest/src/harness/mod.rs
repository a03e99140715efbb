//! The harness's shared parts: where the binaries are, temporary directories, running trials
//! two at a time, and printing figures.

pub(crate) mod check;
pub(crate) mod journal;
pub(crate) mod pid1;
pub(crate) mod proc;
pub(crate) mod races;
pub(crate) mod register;
pub(crate) mod startup;
pub(crate) mod storm;
pub(crate) mod supervisors;

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::{
        Mutex, PoisonError,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

/// `cargo run -p killtest` builds only the harness, not the daemons and fixtures beside it,
/// and a stale `journal` would be tested without a word. So, when cargo started us, build the
/// package's binaries into the same target directory and profile (a no-op when they are
/// fresh). Run directly, the harness uses whatever is there.
pub(crate) fn build_siblings() {
    let Some(cargo) = std::env::var_os("CARGO") else {
        return;
    };
    if std::env::var_os("CARGO_MANIFEST_DIR").is_none() {
        return;
    }
    let exe = std::env::current_exe().expect("current_exe");
    let (Some(profile_dir), Some(target_dir)) = (exe.parent(), exe.parent().and_then(Path::parent))
    else {
        return;
    };
    let mut cmd = Command::new(cargo);
    cmd.args([
        "build",
        "--quiet",
        "--package",
        "killtest",
        "--bins",
        "--target-dir",
    ])
    .arg(target_dir);
    match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") => {}
        Some("release") => {
            cmd.arg("--release");
        }
        Some(other) => {
            cmd.args(["--profile", other]);
        }
        None => return,
    }
    if !cmd.status().is_ok_and(|s| s.success()) {
        eprintln!("killtest: building the daemons failed: {cmd:?}");
        std::process::exit(2);
    }
}

/// A binary of this package, built next to the harness.
pub(crate) fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let path = exe.with_file_name(name);
    if !path.exists() {
        eprintln!(
            "killtest: {} is missing: build the package's binaries first \
             (cargo build --release -p killtest)",
            path.display()
        );
        std::process::exit(2);
    }
    path
}

/// A command for a binary of this package.
pub(crate) fn command(name: &str) -> Command {
    Command::new(bin(name))
}

/// The two daemons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Daemon {
    Graceful,
    Baseline,
}

impl Daemon {
    pub(crate) fn bin(self) -> &'static str {
        match self {
            Daemon::Graceful => "journal",
            Daemon::Baseline => "journal_baseline",
        }
    }
    pub(crate) fn label(self) -> &'static str {
        match self {
            Daemon::Graceful => "graceful",
            Daemon::Baseline => "baseline",
        }
    }
}

/// A directory of our own under the system's temp dir, removed when dropped unless a trial
/// asked to keep it for inspection.
pub(crate) struct Scratch {
    root: PathBuf,
    keep: Mutex<bool>,
}

impl Scratch {
    pub(crate) fn new(what: &str) -> Scratch {
        let root = std::env::temp_dir().join(format!("killtest-{what}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).expect("create the scratch directory");
        Scratch {
            root,
            keep: Mutex::new(false),
        }
    }

    /// A fresh, empty directory for one trial.
    pub(crate) fn trial(&self, name: &str) -> PathBuf {
        let dir = self.root.join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a trial directory");
        dir
    }

    /// Remove a trial's directory (it passed), or keep everything (it failed).
    pub(crate) fn done(&self, dir: &Path, passed: bool) {
        if passed {
            let _ = std::fs::remove_dir_all(dir);
        } else {
            *self.keep.lock().unwrap_or_else(PoisonError::into_inner) = true;
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if *self.keep.lock().unwrap_or_else(PoisonError::into_inner) {
            eprintln!("killtest: failing trials kept in {}", self.root.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}

/// Run `f(0..n)` on `jobs` threads, results in index order.
pub(crate) fn run_trials<T: Send>(n: usize, jobs: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<T>>> = Mutex::new((0..n).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let r = f(i);
                    results.lock().unwrap_or_else(PoisonError::into_inner)[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter()
        .map(|r| r.expect("every trial ran"))
        .collect()
}

/// A seed from the clock, unless one was given.
pub(crate) fn seed_or_clock(seed: Option<u64>) -> u64 {
    seed.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    })
}

/// Print one figure: `LABEL: VALUE`, aligned.
pub(crate) fn figure(label: &str, value: impl std::fmt::Display) {
    println!("{label:<52} {value}");
}

/// `p50 1.2 ms, p99 3.4 ms, max 5.6 ms` over some durations.
pub(crate) fn spread(mut d: Vec<Duration>) -> String {
    if d.is_empty() {
        return "n/a".into();
    }
    d.sort();
    let at = |q: f64| d[((d.len() - 1) as f64 * q).round() as usize];
    format!(
        "p50 {}, p99 {}, max {}",
        ms(at(0.5)),
        ms(at(0.99)),
        ms(d[d.len() - 1])
    )
}

/// A duration in milliseconds, with enough digits.
pub(crate) fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// Tally of labels, printed as `exit 0 ×498, killed by SIGTERM ×2`.
pub(crate) fn tally<I: IntoIterator<Item = String>>(items: I) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for item in items {
        match counts.iter_mut().find(|(k, _)| *k == item) {
            Some((_, n)) => *n += 1,
            None => counts.push((item, 1)),
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    if counts.is_empty() {
        return "none".into();
    }
    counts
        .iter()
        .map(|(k, n)| format!("{k} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A percentage of `part` in `whole`.
pub(crate) fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0%".into();
    }
    format!("{:.2}%", part as f64 * 100.0 / whole as f64)
}
