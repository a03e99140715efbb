//! Faults around the hook graph (`graph_attack`): `exit()` in the final stage, a final hook
//! that never ends, more concurrent hooks than lanes, closures registered during the run,
//! `exit()` from a `Drop` during a concurrent hook's panic, a stuck stderr.

use std::{
    io::Read as _,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use graceful_e2e::{Ended, Proc};

const BIN: &str = env!("CARGO_BIN_EXE_graph_attack");

fn stop(scenario: &str, env: &[(&str, &str)]) -> (Ended, Duration) {
    let p = Proc::start(BIN, &[scenario], env);
    p.wait_for("ready");
    let t0 = Instant::now();
    p.kill(libc::SIGTERM);
    let end = p.wait();
    (end, t0.elapsed())
}

#[test]
fn exit_in_a_final_hook_on_the_concluding_thread_keeps_the_reported_exit_and_the_rest_run() {
    let (end, _) = stop("final_exit_here", &[("GRACEFUL_HOOKS", "sequential")]);
    assert!(end.hooks().contains(&"f exits"), "{end:#?}");
    assert_eq!(
        end.code(),
        Some(0),
        "a final hook cannot change the exit the report gave: {end:#?}"
    );
    assert!(
        end.hooks().contains(&"f after"),
        "the final hook after the one that called exit() did not run: {end:#?}"
    );
}

#[test]
fn exit_in_a_final_hook_on_a_lane_of_its_own_does_not_hold_the_process_to_the_deadline() {
    let (end, took) = stop(
        "final_exit_lane",
        &[
            ("GRACEFUL_HOOKS", "concurrent"),
            ("GRACEFUL_TIMEOUT", "10s"),
        ],
    );
    assert!(end.hooks().contains(&"f exits"), "{end:#?}");
    assert!(end.hooks().contains(&"f first"), "{end:#?}");
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(
        took < Duration::from_secs(5),
        "the stop took {took:?}: the hook that called exit() held it to the deadline\n{}",
        end.stderr
    );
    assert!(!end.stderr.contains("deadline"), "{}", end.stderr);
}

#[test]
fn exit_from_a_drop_during_a_final_hook_s_panic_keeps_the_reported_exit_and_the_rest_run() {
    let (end, _) = stop("final_drop_exit", &[]);
    assert!(end.hooks().contains(&"f panics"), "{end:#?}");
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(end.hooks().contains(&"f after"), "{end:#?}");
}

#[test]
fn a_final_hook_that_never_ends_is_cut_at_the_deadline_with_the_reported_exit() {
    for mode in ["sequential", "concurrent"] {
        for report in ["text", "json"] {
            let (end, took) = stop(
                "final_blocks",
                &[
                    ("GRACEFUL_HOOKS", mode),
                    ("GRACEFUL_TIMEOUT", "2s"),
                    ("GRACEFUL_REPORT", report),
                ],
            );
            assert_eq!(end.code(), Some(1), "{mode} {report}: {end:#?}");
            assert!(end.hooks().contains(&"stuck"), "{end:#?}");
            assert!(
                took < Duration::from_secs(5),
                "{mode} {report}: took {took:?}"
            );
            if report == "text" {
                assert!(
                    end.stderr.contains("the final stage still ran"),
                    "{}",
                    end.stderr
                );
            }
        }
    }
}

#[test]
fn more_concurrent_hooks_than_lanes_all_run_once_and_the_next_stage_waits() {
    let (end, took) = stop(
        "many",
        &[("GRACEFUL_HOOKS", "concurrent"), ("HOOKS", "600")],
    );
    assert_eq!(end.code(), Some(0), "{}", end.stderr);
    let hooks = end.hooks();
    assert_eq!(hooks.iter().filter(|h| **h == "many").count(), 600);
    assert_eq!(hooks.last(), Some(&"after all"), "{hooks:?}");
    // 600 hooks of 300 ms on 256 lanes: three rounds, not 600.
    assert!(took < Duration::from_secs(8), "took {took:?}");
}

#[test]
fn many_concurrent_hooks_and_a_stderr_nobody_reads_still_end_within_the_deadline() {
    // A pipe nobody reads: its write end is given to the child, its read end kept, unread.
    let mut fds = [0; 2];
    // SAFETY: pipe(2) fills two fds.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: both fds are ours, just made.
    let (read_end, write_end) = unsafe {
        use std::os::fd::FromRawFd as _;
        (
            std::fs::File::from_raw_fd(fds[0]),
            std::fs::File::from_raw_fd(fds[1]),
        )
    };
    let mut child = Command::new(BIN)
        .arg("many")
        .env("GRACEFUL_HOOKS", "concurrent")
        .env("GRACEFUL_TIMEOUT", "3s")
        .env("HOOKS", "1500")
        .env_remove("GRACEFUL_REPORT")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(write_end))
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 6];
    stdout.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"ready\n");
    let t0 = Instant::now();
    graceful_e2e::kill(child.id() as i32, libc::SIGTERM);
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if t0.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("still running with a stuck stderr");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(t0.elapsed() < Duration::from_secs(6), "{:?}", t0.elapsed());
    assert!(status.code().is_some(), "{status:?}");
    drop(read_end);
}

#[test]
fn late_closures_keep_their_stages_in_a_concurrent_stop() {
    let (end, _) = stop("late", &[("GRACEFUL_HOOKS", "concurrent")]);
    assert_eq!(end.code(), Some(0), "{end:#?}");
    let low = end.position("hook:late low");
    let high = end.position("hook:late high");
    assert!(
        low < high,
        "a late closure of order 2 ran before one of order 1 ended: {end:#?}"
    );
}

#[test]
fn a_late_closure_for_the_final_stage_runs_after_the_report() {
    for mode in ["sequential", "concurrent"] {
        let (end, _) = stop("late", &[("GRACEFUL_HOOKS", mode)]);
        assert_eq!(end.code(), Some(0), "{end:#?}");
        assert!(end.hooks().contains(&"late final"), "{mode}: {end:#?}");
        assert!(
            end.stdout
                .iter()
                .any(|l| l == "late-final-after-report:true"),
            "{mode}: a final closure registered during the run ran before the report: {end:#?}"
        );
    }
}

#[test]
fn exit_from_a_drop_during_a_concurrent_hook_s_panic_ends_that_hook_and_wins() {
    let (end, _) = stop("drop_exit", &[("GRACEFUL_HOOKS", "concurrent")]);
    assert_eq!(end.code(), Some(5), "{end:#?}");
    assert_eq!(end.hooks(), ["beside", "next"], "{end:#?}");
}

#[test]
fn a_hook_cancelled_mid_run_is_skipped_and_those_after_it_still_run() {
    for mode in ["sequential", "concurrent"] {
        let (end, _) = stop("cancel_mid", &[("GRACEFUL_HOOKS", mode)]);
        assert!(
            end.stdout.contains(&"cancelled:Some(true)".to_owned()),
            "{end:#?}"
        );
        assert_eq!(end.hooks(), ["canceller", "dependent"], "{mode}: {end:#?}");
    }
}

const CURRENT: &str = env!("CARGO_BIN_EXE_graph_attack_current");

fn stop_current(args: &[&str], mode: &str) -> (Ended, Duration) {
    let p = Proc::start(
        CURRENT,
        args,
        &[("GRACEFUL_HOOKS", mode), ("GRACEFUL_TIMEOUT", "6s")],
    );
    p.wait_for("ready");
    let t0 = Instant::now();
    p.kill(libc::SIGTERM);
    let end = p.wait();
    (end, t0.elapsed())
}

#[test]
fn a_concurrent_async_hook_on_a_current_thread_main_s_runtime_is_not_starved() {
    // The hook's timer is due 1 s after the stop; the first lane (the runtime's thread) runs
    // a 100 ms sync hook, then has nothing left: it must keep the runtime going, not park it.
    for mode in ["sequential", "concurrent"] {
        let (end, took) = stop_current(&[], mode);
        assert_eq!(end.code(), Some(0), "{mode}: {end:#?}");
        assert_eq!(
            end.hooks(),
            ["quick", "on main's runtime"],
            "{mode}: {end:#?}"
        );
        assert!(took < Duration::from_secs(4), "{mode}: took {took:?}");
    }
}

#[test]
fn a_final_async_hook_on_a_current_thread_main_s_runtime_is_not_starved() {
    for mode in ["sequential", "concurrent"] {
        let (end, took) = stop_current(&["final"], mode);
        assert_eq!(end.code(), Some(0), "{mode}: {end:#?}");
        assert_eq!(
            end.hooks(),
            ["quick", "on main's runtime"],
            "{mode}: {end:#?}"
        );
        assert!(
            took < Duration::from_secs(4),
            "{mode}: took {took:?}: the final stage held the program's runtime\n{}",
            end.stderr
        );
    }
}

const ASYNC: &str = env!("CARGO_BIN_EXE_graph_attack_async");

#[test]
fn async_hooks_with_tokio_timers_run_side_by_side_on_a_one_worker_runtime() {
    for mode in ["sequential", "concurrent"] {
        let p = Proc::start(
            ASYNC,
            &[],
            &[("GRACEFUL_HOOKS", mode), ("GRACEFUL_TIMEOUT", "6s")],
        );
        p.wait_for("ready");
        p.kill(libc::SIGTERM);
        let end = p.wait();
        assert_eq!(end.code(), Some(0), "{mode}: {end:#?}");
        let mut hooks = end.hooks();
        assert_eq!(hooks.pop(), Some("final async"), "{mode}: {end:#?}");
        hooks.sort_unstable();
        assert_eq!(hooks, ["a", "b", "sync"], "{mode}: {end:#?}");
    }
}
