//! The shutdown sequence without attributes, proved on a real binary with real signals.

use graceful_e2e::{Proc, SIGINT, SIGTERM, within};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_scenario");

fn start(scenario: &str) -> Proc {
    Proc::start(BIN, &[scenario], &[])
}

fn stopped_by(signal: i32) {
    let p = start("sleep");
    p.wait_for("ready");
    p.kill(signal);
    let end = p.wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    // The body unwound (its Drop ran) before the hooks, which ran last-registered first.
    assert!(end.position("drop:body") < end.position("hook:third"));
    assert_eq!(end.hooks(), ["third", "second", "first"]);
    let name = if signal == SIGTERM {
        "SIGTERM"
    } else {
        "SIGINT"
    };
    assert!(
        end.stderr.contains(&format!("{name} received")),
        "{}",
        end.stderr
    );
}

#[test]
fn sigterm_during_sleep_unwinds_then_runs_hooks_and_exits_0() {
    stopped_by(SIGTERM);
}

#[test]
fn sigint_during_sleep_unwinds_then_runs_hooks_and_exits_0() {
    stopped_by(SIGINT);
}

#[test]
fn normal_return_runs_hooks_and_exits_0() {
    let end = start("return").wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert_eq!(end.hooks(), ["third", "second", "first"]);
}

#[test]
fn err_from_main_is_printed_runs_hooks_and_exits_1() {
    // Nothing asked for a stop and every hook was fine: std's line alone, as without graceful.
    let end = start("err").wait();
    assert_eq!(end.code(), Some(1), "{end:#?}");
    assert_eq!(end.stderr, "Error: \"boom\"\n");
    assert_eq!(end.hooks(), ["third", "second", "first"]);
    // With every run reported, the error comes first, whole on its line, then the report:
    // never one inside the other.
    let end = Proc::start(BIN, &["err"], &[("GRACEFUL_REPORT", "always")]).wait();
    assert_eq!(end.code(), Some(1), "{end:#?}");
    let lines: Vec<&str> = end.stderr.lines().collect();
    assert_eq!(lines.first(), Some(&"Error: \"boom\""), "{}", end.stderr);
    assert!(
        lines
            .get(1)
            .is_some_and(|l| l.starts_with("graceful: main returned")),
        "{}",
        end.stderr
    );
    assert_eq!(end.hooks(), ["third", "second", "first"]);
}

#[test]
fn panic_in_main_still_runs_hooks_and_exits_101() {
    let end = start("panic").wait();
    assert_eq!(end.code(), Some(101), "{end:#?}");
    assert!(end.stderr.contains("body exploded"), "{}", end.stderr);
    assert_eq!(end.hooks(), ["third", "second", "first"]);
}

#[test]
fn panicking_and_failing_hooks_are_reported_and_the_next_still_runs() {
    let end = start("failing_hooks").wait();
    assert_eq!(end.code(), Some(1), "{end:#?}");
    assert_eq!(end.hooks(), ["panics", "errs", "after"]);
    assert!(end.stderr.contains("panicked"), "{}", end.stderr);
    assert!(end.stderr.contains("hook exploded"), "{}", end.stderr);
    assert!(
        end.stderr.contains("failed") && end.stderr.contains("disk full"),
        "{}",
        end.stderr
    );
}

#[test]
fn hook_past_its_timeout_is_left_behind_and_the_next_runs() {
    let t0 = Instant::now();
    let end = start("hook_timeout").wait();
    assert_eq!(end.code(), Some(1), "{end:#?}");
    assert_eq!(end.hooks(), ["stuck", "after"]);
    assert!(end.stderr.contains("timed out"), "{}", end.stderr);
    within(t0, Duration::from_secs(10));
}

#[test]
fn deadline_exits_124_naming_the_stuck_hook() {
    let t0 = Instant::now();
    let end = start("deadline").wait();
    assert_eq!(end.code(), Some(124), "{end:#?}");
    assert!(end.stderr.contains("deadline"), "{}", end.stderr);
    assert!(
        end.stderr.contains("still running: hook \"stuck\""),
        "{}",
        end.stderr
    );
    within(t0, Duration::from_secs(10));
}

#[test]
fn second_signal_kills_promptly_by_that_signal() {
    let p = start("slow_hook");
    p.wait_for("ready");
    p.kill(SIGTERM);
    p.wait_for("hook:slow");
    let t0 = Instant::now();
    p.kill(SIGINT);
    let end = p.wait();
    assert_eq!(end.signal(), Some(SIGINT), "{end:#?}");
    within(t0, Duration::from_secs(5));
    assert!(end.stderr.contains("second signal"), "{}", end.stderr);
}

#[test]
fn with_second_signal_ignore_a_second_signal_is_reported_and_the_stop_finishes() {
    let p = Proc::start(BIN, &["hook_1s"], &[("GRACEFUL_SECOND_SIGNAL", "ignore")]);
    p.wait_for("ready");
    p.kill(SIGTERM);
    std::thread::sleep(Duration::from_millis(300));
    p.kill(SIGINT);
    let end = p.wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert_eq!(end.hooks(), ["one_second"]);
    assert!(
        end.stderr
            .contains("SIGINT received while stopping: ignored"),
        "{}",
        end.stderr
    );
}

#[test]
fn a_bad_second_signal_setting_exits_78_naming_it() {
    let end = Proc::start(BIN, &["sleep"], &[("GRACEFUL_SECOND_SIGNAL", "twice")]).wait();
    assert_eq!(end.code(), Some(78), "{end:#?}");
    assert!(
        end.stderr.contains("GRACEFUL_SECOND_SIGNAL=\"twice\""),
        "{}",
        end.stderr
    );
}

#[test]
fn exit_from_deep_code_unwinds_main_then_runs_hooks() {
    let end = start("exit_deep").wait();
    assert_eq!(end.code(), Some(3), "{end:#?}");
    // Every frame's Drop ran, innermost first, and main's guard before the first hook.
    assert!(end.position("drop:deepest") < end.position("drop:main"));
    assert!(end.position("drop:main") < end.position("hook:third"));
    assert_eq!(end.hooks(), ["third", "second", "first"]);
    assert!(!end.stderr.contains("panicked"), "{}", end.stderr);
}

#[test]
fn exit_inside_a_hook_ends_that_hook_and_the_rest_still_run() {
    let end = start("exit_in_hook").wait();
    assert_eq!(end.code(), Some(4), "{end:#?}");
    assert_eq!(end.hooks(), ["exits", "after"]);
    // main returned on its own, but a non-zero exit() is reported (found by review: it was
    // silent).
    assert!(end.stderr.contains("exit(4)"), "{}", end.stderr);
    assert!(
        end.stderr.contains("graceful: main returned"),
        "{}",
        end.stderr
    );
}

#[test]
fn main_failing_comes_before_a_hooks_exit_code_as_the_table_says() {
    // Both are the "main failed" row; main's own `Err` is named first there, so it wins.
    let end = start("err_then_exit_in_hook").wait();
    assert_eq!(end.code(), Some(1), "{end:#?}");
    assert_eq!(end.hooks(), ["exits"]);
    assert!(end.stderr.contains("main failed"), "{}", end.stderr);
}

#[test]
fn a_storm_of_ignored_signals_is_reported_once() {
    // Found by review: every ignored signal made a line.
    let p = Proc::start(BIN, &["hook_1s"], &[("GRACEFUL_SECOND_SIGNAL", "ignore")]);
    p.wait_for("ready");
    p.kill(SIGTERM);
    std::thread::sleep(Duration::from_millis(200));
    for _ in 0..300 {
        p.kill(SIGINT);
    }
    let end = p.wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert_eq!(
        end.stderr
            .matches("received while stopping: ignored")
            .count(),
        1,
        "{}",
        end.stderr
    );
}

#[test]
fn exit_from_another_thread_stops_the_body_and_exits_with_its_code() {
    let end = start("exit_from_thread").wait();
    assert_eq!(end.code(), Some(5), "{end:#?}");
    assert!(end.position("drop:body") < end.position("hook:third"));
    assert_eq!(end.hooks(), ["third", "second", "first"]);
}

#[test]
fn trigger_stops_like_a_signal_and_exits_0() {
    let end = start("trigger").wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(end.position("drop:body") < end.position("hook:third"));
    assert!(end.stderr.contains("trigger() called"), "{}", end.stderr);
}

#[test]
fn cancelled_closures_do_not_run() {
    let end = start("cancel").wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(end.stdout.contains(&"cancelled:true".to_string()));
    assert_eq!(end.hooks(), ["third", "second", "first"]);
}

#[test]
fn a_body_that_never_checks_is_abandoned_and_hooks_still_run() {
    let p = start("ignore");
    p.wait_for("ready");
    p.kill(SIGTERM);
    let end = p.wait();
    assert_eq!(end.code(), Some(124), "{end:#?}");
    assert_eq!(end.hooks(), ["third", "second", "first"]);
    assert!(
        end.stderr.contains("did not return within 500ms"),
        "{}",
        end.stderr
    );
    // It never asked: the report says how it would have stopped in time.
    assert!(
        end.stderr
            .contains("nothing called graceful's check(), sleep(), wait() or shutdown()"),
        "{}",
        end.stderr
    );
}

#[test]
fn a_body_that_asks_but_is_slow_to_return_is_pointed_at_the_budget_rule() {
    let p = start("asks_then_lingers");
    p.wait_for("ready");
    p.kill(SIGTERM);
    let end = p.wait();
    assert_eq!(end.code(), Some(124), "{end:#?}");
    assert!(
        end.stderr.contains("did not return within 500ms"),
        "{}",
        end.stderr
    );
    assert!(!end.stderr.contains("nothing called"), "{}", end.stderr);
    assert!(
        end.stderr
            .contains("it was told to stop and is still at work")
            && end.stderr.contains("the budget rule"),
        "{}",
        end.stderr
    );
}

#[test]
fn exit_code_signal_policy_dies_of_the_signal_after_the_hooks() {
    let p = start("die_of_signal");
    p.wait_for("ready");
    p.kill(SIGTERM);
    let end = p.wait();
    assert_eq!(end.signal(), Some(SIGTERM), "{end:#?}");
    assert_eq!(end.hooks(), ["third", "second", "first"]);
}

#[test]
fn install_guard_runs_the_hooks_and_exits_0_after_a_signal() {
    let p = start("guard");
    p.wait_for("ready");
    p.kill(SIGTERM);
    let end = p.wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert_eq!(end.hooks(), ["third", "second", "first"]);
}

#[test]
fn shutdown_future_resolves_on_a_signal_without_a_runtime() {
    let p = start("shutdown_future");
    p.wait_for("ready");
    p.kill(SIGTERM);
    let end = p.wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(
        end.stdout
            .contains(&"future:shutting down: SIGTERM".to_string()),
        "{end:#?}"
    );
}

#[test]
fn bad_environment_values_stop_before_the_body_with_78() {
    for (var, value) in [
        ("GRACEFUL_TIMEOUT", "5 parsecs"),
        ("GRACEFUL_REPORT", "yaml"),
    ] {
        let end = Proc::start(BIN, &["return"], &[(var, value)]).wait();
        assert_eq!(end.code(), Some(78), "{end:#?}");
        assert!(
            end.stderr.contains(&format!("{var}=\"{value}\"")),
            "{}",
            end.stderr
        );
        assert!(
            !end.stdout.contains(&"ready".to_string()),
            "the body ran: {end:#?}"
        );
        assert!(end.hooks().is_empty());
    }
}

#[test]
fn environment_timeout_overrides_the_builder() {
    let end = Proc::start(BIN, &["deadline"], &[("GRACEFUL_TIMEOUT", "300ms")]).wait();
    assert_eq!(end.code(), Some(124), "{end:#?}");
    assert!(
        end.stderr.contains("deadline of 300ms passed"),
        "{}",
        end.stderr
    );
}

#[test]
fn a_run_that_ends_on_its_own_and_well_is_quiet_unless_always() {
    for report in ["text", "json"] {
        let end = Proc::start(BIN, &["return"], &[("GRACEFUL_REPORT", report)]).wait();
        assert_eq!(end.code(), Some(0));
        assert_eq!(end.stderr, "", "{report}");
        assert_eq!(end.hooks(), ["third", "second", "first"]);
    }
    let end = Proc::start(BIN, &["return"], &[("GRACEFUL_REPORT", "always")]).wait();
    assert!(
        end.stderr
            .starts_with("graceful: main returned: running hooks"),
        "{}",
        end.stderr
    );
    assert!(end.stderr.ends_with("exit 0\n"), "{}", end.stderr);
    // A hook that fails makes the run one to speak of.
    let end = start("failing_hooks").wait();
    assert_eq!(end.code(), Some(1), "{end:#?}");
    assert!(
        end.stderr.contains("graceful: main returned"),
        "{}",
        end.stderr
    );
}

#[test]
fn json_report_is_one_object_and_off_is_silent() {
    let p = Proc::start(BIN, &["sleep"], &[("GRACEFUL_REPORT", "json")]);
    p.wait_for("ready");
    p.kill(SIGTERM);
    let end = p.wait();
    assert_eq!(end.code(), Some(0));
    let lines: Vec<&str> = end.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", end.stderr);
    assert!(
        lines[0].starts_with("{\"reason\":\"SIGTERM\""),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("\"name\":\"third\""), "{}", lines[0]);
    assert!(lines[0].ends_with("\"exit\":{\"code\":0}}"), "{}", lines[0]);
    let end = Proc::start(BIN, &["return"], &[("GRACEFUL_REPORT", "off")]).wait();
    assert_eq!(end.stderr, "");
}

/// A signal arriving as main returns: whichever wins, the hooks run exactly once.
#[test]
fn signal_racing_main_return_runs_hooks_exactly_once() {
    for trial in 0..200u64 {
        let delay_us = (trial * 37) % 2000;
        let p = Proc::start(BIN, &["race", &delay_us.to_string()], &[]);
        p.wait_for("ready");
        std::thread::sleep(Duration::from_micros((trial * 53) % 2000));
        // The process may already have exited: then kill fails with ESRCH, which is fine.
        // SAFETY: kill(2) with plain integers on our own child.
        unsafe { libc::kill(p.pid(), SIGTERM) };
        let end = p.wait();
        assert_eq!(end.code(), Some(0), "trial {trial}: {end:#?}");
        assert_eq!(
            end.hooks(),
            ["third", "second", "first"],
            "trial {trial}: {end:#?}"
        );
    }
}

/// Thousands of signals: the first starts Stopping, the second forces the exit. The hooks run
/// at most once, the process always exits promptly, nothing deadlocks.
#[test]
fn a_storm_of_signals_exits_promptly_with_hooks_at_most_once() {
    for _ in 0..5 {
        let p = start("sleep");
        p.wait_for("ready");
        let t0 = Instant::now();
        for _ in 0..5000 {
            // SAFETY: kill(2) with plain integers on our own child; it may be gone (ESRCH).
            if unsafe { libc::kill(p.pid(), SIGTERM) } != 0 {
                break;
            }
        }
        let end = p.wait();
        within(t0, Duration::from_secs(5));
        assert!(
            end.signal() == Some(SIGTERM) || end.code() == Some(0),
            "{end:#?}"
        );
        let hooks = end.hooks();
        assert!(hooks.len() <= 3, "{end:#?}");
        for name in ["first", "second", "third"] {
            assert!(
                hooks.iter().filter(|h| **h == name).count() <= 1,
                "{end:#?}"
            );
        }
    }
}

#[test]
fn drain_flips_readiness_at_the_signal_and_stops_the_body_only_after_it() {
    let mut p = start("drain");
    p.wait_for("ready");
    let t0 = Instant::now();
    p.kill(SIGTERM);
    p.wait_for("not ready");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !p.lines()
            .0
            .lock()
            .unwrap()
            .contains(&"told to stop".to_string())
    );
    let end = p.wait_within(Duration::from_secs(20));
    assert!(
        t0.elapsed() >= Duration::from_millis(800),
        "stopped before the drain was over"
    );
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(end.position("not ready") < end.position("told to stop"));
    assert_eq!(end.hooks(), ["third", "second", "first"]);
    assert!(end.stderr.contains("draining for 800ms"), "{}", end.stderr);
}

#[test]
fn a_second_signal_during_the_drain_still_forces_the_exit() {
    let p = start("drain");
    p.wait_for("ready");
    p.kill(SIGTERM);
    p.wait_for("not ready");
    p.kill(SIGINT);
    let end = p.wait();
    assert_eq!(end.signal(), Some(SIGINT), "{end:#?}");
    assert!(end.hooks().is_empty(), "{end:#?}");
}

/// GNU `timeout` signals the child, then its whole process group: one request, delivered
/// twice by the same sender at once. It must not count as the second signal that forces.
#[test]
fn the_same_signal_twice_at_once_from_one_sender_is_one_request() {
    let p = start("hook_1s");
    p.wait_for("ready");
    p.kill(SIGTERM);
    // Sent back to back, the kernel may merge the two into one pending signal; 20 ms apart
    // (well inside graceful's 100 ms window) the first has surely been handled.
    std::thread::sleep(Duration::from_millis(20));
    p.kill(SIGTERM);
    let end = p.wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert_eq!(end.hooks(), ["one_second"]);
    assert!(end.stderr.contains("the same request"), "{}", end.stderr);
}

#[test]
fn the_same_signal_again_later_forces_the_exit() {
    let p = start("hook_1s");
    p.wait_for("ready");
    p.kill(SIGTERM);
    std::thread::sleep(Duration::from_millis(400));
    p.kill(SIGTERM);
    let end = p.wait();
    assert_eq!(end.signal(), Some(SIGTERM), "{end:#?}");
    assert!(end.hooks().is_empty(), "{end:#?}");
}

#[test]
fn under_gnu_timeout_the_hooks_finish() {
    let out = std::process::Command::new("timeout")
        .args(["--preserve-status", "--signal=TERM", "0.5", BIN, "hook_1s"])
        .env_remove("GRACEFUL_REPORT")
        .output()
        .expect("GNU timeout is installed");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("hook:one_second"), "{stdout}\n{stderr}");
}

/// stderr is a pipe nobody reads, and the body blocks writing to it, holding std's stderr lock:
/// the watcher must still abandon the body, the hooks must still run, the process must exit.
#[test]
fn an_error_line_stuck_on_stderr_does_not_stop_the_hooks() {
    // main's thread is stuck writing its error line: the hooks run on another thread, and the
    // exit is still main's error's.
    let (status, rest) = run_with_stderr_unread("err_stuck_stderr", None);
    assert_eq!(status.code(), Some(1), "{rest:?}");
    assert_eq!(rest, ["hook:third", "hook:second", "hook:first"]);
}

#[test]
fn a_logger_stuck_on_stderr_does_not_stop_the_hooks_after_a_signal() {
    // The body unwinds from `sleep`; the report's first line then waits on std's stderr lock,
    // which the stuck logger holds: the hooks run on another thread.
    let (status, rest) = run_with_stderr_unread("logger_stuck", Some(Duration::from_millis(300)));
    assert_eq!(status.code(), Some(0), "{rest:?}");
    assert_eq!(
        rest,
        ["drop:body", "hook:third", "hook:second", "hook:first"]
    );
}

#[test]
fn a_report_line_stuck_between_hooks_does_not_stop_the_next_hook() {
    let (status, rest) = run_with_stderr_unread("hook_fills_stderr", None);
    assert_eq!(status.code(), Some(0), "{rest:?}");
    assert_eq!(rest, ["hook:floods", "hook:after"]);
}

#[test]
fn a_slow_stderr_keeps_the_hooks_on_their_thread_and_loses_nothing() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Command, Stdio};
    let mut child = Command::new(BIN)
        .arg("long_hook_error")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drain stderr at about 160 KB/s: the 300 KB line takes about 2 s, always moving.
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        loop {
            match stderr.read(&mut buf) {
                Ok(0) | Err(_) => return all,
                Ok(n) => all.extend_from_slice(&buf[..n]),
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let lines: Vec<String> = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .collect();
    let status = child.wait().unwrap();
    let stderr = String::from_utf8_lossy(&reader.join().unwrap()).into_owned();
    assert_eq!(status.code(), Some(1), "{lines:?}");
    // Both hooks ran on main's thread: a slow stderr is not a stuck one.
    assert_eq!(lines, ["ready", "hook:fails:main", "hook:after:main"]);
    assert!(
        stderr.contains(&"y".repeat(300_000)),
        "the long line was cut"
    );
    assert!(
        stderr.contains("hook \"after\""),
        "{}",
        &stderr[stderr.len() - 300..]
    );
    assert!(
        stderr.trim_end().ends_with("exit 1"),
        "{}",
        &stderr[stderr.len() - 300..]
    );
}

#[test]
fn a_stderr_nobody_reads_does_not_stop_the_hooks_or_the_exit() {
    // The pipe fills while the body waits: the body blocks, holding std's stderr lock.
    let (status, rest) = run_with_stderr_unread("stuck_stderr", Some(Duration::from_millis(300)));
    assert_eq!(status.code(), Some(124), "{rest:?}");
    assert_eq!(rest, ["hook:third", "hook:second", "hook:first"]);
}

/// Run `scenario` with a stderr pipe nobody reads; SIGTERM it `signal_after` its `ready`, if
/// given. Returns how it ended and the stdout lines after `ready`; fails if it takes 10 s.
fn run_with_stderr_unread(
    scenario: &str,
    signal_after: Option<Duration>,
) -> (std::process::ExitStatus, Vec<String>) {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut child = Command::new(BIN)
        .arg(scenario)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped()) // never read
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut lines = stdout.lines().map_while(Result::ok);
    assert_eq!(lines.next().as_deref(), Some("ready"));
    let t0 = Instant::now();
    if let Some(after) = signal_after {
        std::thread::sleep(after);
        graceful_e2e::kill(child.id() as i32, SIGTERM);
    }
    // Were the process to hang, SIGKILL it after 20 s, so the test fails instead of hanging.
    let pid = child.id() as i32;
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(20));
        // SAFETY: kill(2) with plain integers; the pid may be gone already (ESRCH).
        unsafe { libc::kill(pid, libc::SIGKILL) };
    });
    let rest: Vec<String> = lines.collect();
    let status = child.wait().unwrap();
    within(t0, Duration::from_secs(10));
    (status, rest)
}
