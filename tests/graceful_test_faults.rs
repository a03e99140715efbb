//! `#[graceful::test]` under faults found by a review of issue 14: grandchildren that keep the
//! output open, lines that look like graceful's markers or report, a child whose parent is
//! killed, signals planned but never sent. Each test failed before its fix.
//!
//! The `*_inner` tests are fixtures: each passes when `cargo test` runs it as it runs any test,
//! and the outer `#[test]` next to it also runs it in a test binary of its own (`NAME
//! --exact`), as a user's `cargo test NAME` would, to check what the user sees (the time taken,
//! the output shown, the failure message, a child left behind).

use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use graceful::Shutdown;

#[graceful::on_shutdown]
fn a_hook() {
    println!("a hook ran");
}

fn sleep_until_stopped() -> Result<(), Shutdown> {
    loop {
        graceful::sleep(Duration::from_secs(1))?;
    }
}

/// Runs this test binary for the test `name` alone, killing it past `bound`: whether it ended
/// in time, how long it took, its stdout and stderr.
fn run_alone(name: &str, extra: &[&str], bound: Duration) -> (bool, Duration, String, String) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let in_time = loop {
        if child.try_wait().unwrap().is_some() {
            break true;
        }
        if start.elapsed() > bound {
            let _ = child.kill();
            break false;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = start.elapsed();
    let out = child.wait_with_output().unwrap();
    (
        in_time,
        elapsed,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

// ---- 1. A grandchild that inherits the child's stdout/stderr holds the parent until it ends.

#[graceful::test]
fn a_background_grandchild_inner() {
    // A helper the body starts and leaves running (a server under test, `sleep`): it inherits
    // the child's stdout and stderr, as Command does by default.
    // The point of the fixture: a process started and left behind, holding the output.
    #[expect(clippy::zombie_processes, reason = "a process left behind, on purpose")]
    let _left_behind = Command::new("sleep").arg("20").spawn().unwrap();
}

/// The child ends at once; the test should too. Observed: it takes the grandchild's 20 s,
/// because the parent reads both pipes to EOF after the child exited.
#[test]
fn a_background_grandchild_does_not_hold_the_test() {
    let (_, took, out, err) = run_alone(
        "a_background_grandchild_inner",
        &[],
        Duration::from_secs(60),
    );
    assert!(took < Duration::from_secs(8), "took {took:?}\n{out}\n{err}");
}

#[graceful::test(signal = SIGTERM, kill_after = "1s")]
#[should_panic(expected = "killed it")]
fn kill_after_with_a_grandchild_inner() {
    // The point of the fixture: a process started and left behind, holding the output.
    #[expect(clippy::zombie_processes, reason = "a process left behind, on purpose")]
    let _left_behind = Command::new("sleep").arg("15").spawn().unwrap();
    std::thread::sleep(Duration::from_secs(60));
}

/// `kill_after = "1s"` bounds a hung child. Observed: the "killed it" failure comes after the
/// grandchild's 15 s: the bound does not hold once the child has a grandchild.
#[test]
fn kill_after_bounds_a_child_whose_grandchild_holds_its_output() {
    let (ok, took, out, err) = run_alone(
        "kill_after_with_a_grandchild_inner",
        &[],
        Duration::from_secs(60),
    );
    assert!(
        ok && took < Duration::from_secs(8),
        "took {took:?}\n{out}\n{err}"
    );
}

// ---- 2. A body whose last stderr write has no newline loses the report.

/// Observed: "the child ended (exit status: 0) without graceful's report", the JSON object
/// glued to `progress: 100%` on one line.
#[graceful::test]
fn a_partial_stderr_line_does_not_hide_the_report() {
    eprint!("progress: 100%");
}

// ---- 3. A stderr line that ends like a marker is taken for one, and cut from the output.

/// Observed: SIGTERM arrives 0.5 s before `ready()`, and the line reads "next step: " in the
/// report's stderr.
#[graceful::test(signal = SIGTERM, check = the_line_is_the_users)]
fn a_line_ending_like_the_ready_marker_is_not_ready() -> Result<(), Shutdown> {
    eprintln!("next step: graceful::test::ready");
    std::thread::sleep(Duration::from_millis(500));
    assert!(!graceful::is_shutting_down(), "signalled before ready()");
    graceful::test::ready();
    sleep_until_stopped()
}

fn the_line_is_the_users(report: graceful::test::Report) {
    report.assert_clean();
    assert!(
        report
            .stderr()
            .contains("next step: graceful::test::ready\n"),
        "{report}"
    );
}

// ---- 4. GRACEFUL_TEST_CHILD is inherited by the child's own children.

#[graceful::test]
fn a_plain_graceful_test_inner() {}

/// A body that runs a test binary (this one, or a workspace's other) as a tool: the grandchild
/// inherits GRACEFUL_TEST_CHILD and every graceful test in it panics "this process is the child
/// of \"...\"". (A grandchild calling `ready()` would also signal the child.)
#[graceful::test]
fn a_grandchild_test_binary_is_not_taken_for_the_child() {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["a_plain_graceful_test_inner", "--exact"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---- 5. --show-output / --nocapture never show a passing child's output.

#[graceful::test]
fn a_child_that_prints_inner() {
    println!("the child says hello");
}

/// `cargo test -- --show-output` (or `--nocapture`) shows what a test printed. Observed: the
/// child's output is only in the Report, so a passing graceful test shows nothing.
#[test]
fn show_output_shows_what_the_child_printed() {
    for flag in ["--show-output", "--nocapture"] {
        let (_, _, out, err) = run_alone(
            "a_child_that_prints_inner",
            &[flag],
            Duration::from_secs(60),
        );
        assert!(
            out.contains("the child says hello"),
            "{flag}:\n{out}\n{err}"
        );
    }
}

// ---- 6. std::process::exit in the body: the failure does not say why there is no report.

/// The docs say `std::process::exit` ends the process on the spot and to use `graceful::exit`;
/// the failure only says "without graceful's report", with empty output.
#[graceful::test]
#[should_panic(expected = "graceful::exit")]
fn std_process_exit_in_the_body_is_named() {
    std::process::exit(3)
}

// ---- 7. A line like the report, written after the child's own (by a grandchild, or a thread
// still running as the child exits), is taken for the report.

/// Observed: reason "forged", no hooks: the report the test checks is the grandchild's line,
/// not the child's.
#[graceful::test(check = the_childs_own_report)]
fn a_later_report_lookalike_is_not_the_report() {
    #[expect(clippy::zombie_processes, reason = "a process left behind, on purpose")]
    let _left_behind = Command::new("sh")
        .args([
            "-c",
            r#"sleep 0.5; echo '{"reason":"forged","events":[],"exit":{"code":0}}' >&2"#,
        ])
        .spawn()
        .unwrap();
}

fn the_childs_own_report(report: graceful::test::Report) {
    assert_eq!(report.reason(), Some("main returned"), "{report}");
    assert_eq!(report.hook_names(), ["a_hook"], "{report}");
}

// ---- 8. A child outlives its parent: the test runner killed (a CI timeout's SIGKILL, an OOM
// kill), the child waiting for a signal runs on, orphaned, for ever.

// Run alone it waits for a signal that never comes, and is killed at its bound: the test
// expects that. The outer test kills its parent long before.
#[graceful::test(signal = SIGTERM, kill_after = "3s")]
#[should_panic(expected = "killed it")]
fn an_orphan_inner() -> Result<(), Shutdown> {
    if let Some(path) = std::env::var_os("ORPHAN_PID_FILE") {
        std::fs::write(path, std::process::id().to_string()).unwrap();
    }
    sleep_until_stopped() // never calls ready(): waits for a signal that will not come
}

/// Observed: the child still runs after its parent was SIGKILLed (Linux:
/// `PR_SET_PDEATHSIG` in the child, or the child watching its parent, would end it).
#[test]
fn the_child_does_not_outlive_a_killed_parent() {
    let pid_file =
        std::env::temp_dir().join(format!("graceful-test-orphan-{}", std::process::id()));
    let _ = std::fs::remove_file(&pid_file);
    let mut parent = Command::new(std::env::current_exe().unwrap())
        .args(["an_orphan_inner", "--exact"])
        .env("ORPHAN_PID_FILE", &pid_file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let pid = loop {
        if let Ok(pid) = std::fs::read_to_string(&pid_file) {
            if !pid.is_empty() {
                break pid;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the child never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    parent.kill().unwrap(); // SIGKILL, as a CI timeout would
    parent.wait().unwrap();
    std::thread::sleep(Duration::from_secs(1));
    // Gone, or a zombie waiting for init to reap it (its parent is dead), is not running.
    let alive = std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z'))
    });
    if alive {
        let _ = Command::new("kill").args(["-KILL", &pid]).status();
    }
    let _ = std::fs::remove_file(&pid_file);
    assert!(!alive, "the child {pid} outlived its killed parent");
}

// ---- 9. `second_after = ready` counts a `ready()` made before the first signal.

/// The docs: the second signal goes when the child "calls `ready()` again, after the first
/// signal". A body that says ready twice before (a helper and the test each call it) gets the
/// second signal ~5 ms after the first. Observed: events stopping, forced; reason "SIGINT"
/// (the two arrived as one, in the other order), died of SIGTERM, no hook reported.
/// Fixed: readies made before the first signal do not count, so this second signal is never
/// sent, and a test whose planned signal never went fails, saying so.
#[graceful::test(
    signal = SIGTERM,
    second = SIGINT,
    second_after = ready,
    check = not_forced
)]
#[should_panic(expected = "before its SIGINT was sent")]
fn second_after_ready_waits_for_a_ready_after_the_first_signal() -> Result<(), Shutdown> {
    graceful::test::ready(); // a helper that starts the server says it
    graceful::test::ready(); // and so does the test
    sleep_until_stopped()
}

fn not_forced(report: graceful::test::Report) {
    report.assert_clean();
    assert!(!report.events().any(|e| e == "forced"), "{report}");
}

// ---- 10. A signal test whose child ends before its signal passes, having tested nothing.

/// `signal = SIGTERM` says the test is about a SIGTERM; the body (by mistake) ends before the
/// delay. Expected: a failure saying the child ended before SIGTERM was sent (or a Report that
/// says so). Observed: the default check passes: reason "main returned", no signal sent.
#[graceful::test(signal = SIGTERM, after = "500ms")]
#[should_panic(expected = "SIGTERM")]
fn a_signal_test_whose_body_ends_before_its_signal_fails() {}
