//! Child processes handed to graceful (`children` fixture): at SIGTERM each is signalled, the
//! one that exits on its own is reaped and reported, the one that ignores SIGTERM is killed at
//! its budget, the tree in its own process group is stopped whole, and only then do the hooks
//! run; all within the deadline.

use std::time::{Duration, Instant};

use graceful_e2e::{Proc, SIGTERM, within};

#[test]
fn children_are_stopped_killed_at_their_budget_reaped_and_reported_before_the_hooks() {
    let p = Proc::start(env!("CARGO_BIN_EXE_children"), &[], &[]);
    p.wait_for("ready");
    let pgid: i32 = {
        let lines = p.lines();
        let got = lines.0.lock().unwrap();
        got.iter()
            .find_map(|l| l.strip_prefix("group "))
            .unwrap()
            .parse()
            .unwrap()
    };
    let t0 = Instant::now();
    p.kill(SIGTERM);
    let end = p.wait();
    within(t0, Duration::from_secs(5));
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert_eq!(end.hooks(), ["close"]);
    let err = &end.stderr;
    assert!(err.contains("child \"polite\" (pid "), "{err}");
    assert!(err.contains(") stopped in "), "{err}");
    assert!(
        err.lines()
            .any(|l| l.contains("child \"polite\"") && l.ends_with(": exit 0")),
        "{err}"
    );
    assert!(
        err.contains(
            "still running at its budget (1s): killed with SIGKILL, reaped: signal 9 (SIGKILL)"
        ),
        "{err}"
    );
    assert!(
        err.lines()
            .any(|l| l.contains("child \"tree\"") && l.contains("signal 15 (SIGTERM)")),
        "{err}"
    );
    // The children's lines come before the hook's.
    let child_at = err.find("child \"stubborn\"").unwrap();
    let hook_at = err.find("hook \"close\"").unwrap();
    assert!(child_at < hook_at, "{err}");
    // No one of the tree runs on: each member of its group is gone, or a zombie waiting for
    // init (the `sleep`s were the shell's children, not ours).
    let running = group_running(pgid);
    assert!(
        running.is_empty(),
        "the tree's group {pgid} still runs: {running:?}"
    );
}

/// The processes of group `pgid` that are not zombies, from /proc.
fn group_running(pgid: i32) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid pgrp ...: the fields after the last ')'.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.get(2) == Some(&pgid.to_string().as_str()) && fields[0] != "Z" {
            found.push(stat);
        }
    }
    found
}

/// Run the `pid1` fixture as PID 1 of a new PID namespace (with its own /proc).
fn as_pid1(reap: bool) -> graceful_e2e::Ended {
    let bin = env!("CARGO_BIN_EXE_pid1");
    let args = ["--pid", "--fork", "--mount-proc", bin];
    let env: &[(&str, &str)] = if reap { &[("PID1_REAP", "1")] } else { &[] };
    Proc::start("unshare", &args, env).wait()
}

#[test]
fn as_pid1_the_orphans_are_reaped_when_asked_and_only_then() {
    let reaped = as_pid1(true);
    assert_eq!(reaped.code(), Some(0), "{reaped:#?}");
    assert!(
        reaped.stdout.contains(&"pid1:true".to_owned()),
        "{reaped:#?}"
    );
    assert!(
        reaped.stdout.contains(&"zombies:0".to_owned()),
        "{reaped:#?}"
    );
    // The control: without it, the orphan stays a zombie.
    let left = as_pid1(false);
    assert!(left.stdout.contains(&"zombies:1".to_owned()), "{left:#?}");
}
