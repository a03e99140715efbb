//! The harness itself, in small sizes: each subcommand runs real daemons and fixtures and
//! stops them with real signals. (`pid1` and `supervisors` need root, `unshare`, `tini` and
//! `dumb-init`: they run in CI through `killtest/ci.sh`, not here.)

use std::process::Command;

fn killtest(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_killtest"))
        .args(args)
        .env_remove("CARGO") // cargo test built every binary already: no nested build
        .output()
        .expect("run killtest");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "killtest {args:?} failed: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn field(line: &str, key: &str) -> u64 {
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {key}= in {line:?}"))
}

#[test]
fn graceful_loses_nothing_where_the_baseline_loses_records_and_leaves_locks() {
    let out = killtest(&["--trials", "4"]);
    let summary = out.lines().last().expect("a summary line");
    assert!(
        summary.starts_with("trials=4 lost=0 corrupt=0 stale_locks=0 baseline_lost="),
        "{out}"
    );
    assert!(field(summary, "baseline_lost") > 0, "{out}");
    assert_eq!(field(summary, "baseline_stale_locks"), 4, "{out}");
}

#[test]
fn a_signal_racing_mains_return_runs_the_hooks_exactly_once() {
    let out = killtest(&["races", "--trials", "30"]);
    assert!(out.ends_with("races trials=30 ok=30 failed=0\n"), "{out}");
}

#[test]
fn a_storm_of_signals_always_ends_the_process_with_hooks_at_most_once() {
    let out = killtest(&["storm", "--bursts", "3", "--signals", "2000"]);
    assert!(
        out.ends_with("storm bursts=3 signals=2000 ok=3 failed=0\n"),
        "{out}"
    );
}

#[test]
fn closures_registered_as_the_signal_lands_run_exactly_once() {
    let out = killtest(&["register", "--trials", "5"]);
    assert!(out.ends_with("register trials=5 ok=true\n"), "{out}");
}
