//! `#[graceful::test]` tested with itself: each test's body runs in a child process that gets
//! real signals, and the parent checks the child's report. The failing cases are tests that
//! must panic (`should_panic`), or checks that expect the failure.

use std::time::Duration;

use graceful::{
    Shutdown,
    test::{Outcome, Report},
};

#[graceful::on_shutdown(order = 1)]
fn release_lock() {
    println!("lock released");
}

#[graceful::on_shutdown(order = 2, name = "say goodbye")]
fn goodbye(shutdown: &Shutdown) -> Result<(), String> {
    println!("goodbye after {}", shutdown.reason());
    Ok(())
}

fn sleep_until_stopped() -> Result<(), Shutdown> {
    loop {
        graceful::sleep(Duration::from_secs(1))?;
    }
}

#[graceful::test(signal = SIGTERM, check = stopped_by_sigterm_in_order)]
fn a_sigterm_after_ready_runs_the_hooks_in_order() -> Result<(), Shutdown> {
    graceful::on_shutdown("closure", || println!("closure ran"));
    graceful::test::ready();
    sleep_until_stopped()
}

fn stopped_by_sigterm_in_order(report: Report) {
    assert_eq!(report.exit_code(), Some(0), "{report}");
    assert_eq!(report.reason(), Some("SIGTERM"), "{report}");
    assert_eq!(
        report.hook_names(),
        ["closure", "release_lock", "say goodbye"],
        "{report}"
    );
    let goodbye = report.hook("say goodbye").unwrap();
    assert_eq!((goodbye.order(), goodbye.outcome()), (2, Outcome::Ok));
    assert!(
        goodbye.at().starts_with("tests/graceful_test.rs:"),
        "{report}"
    );
    assert!(goodbye.took() < Duration::from_secs(5), "{report}");
    assert!(
        report
            .stdout()
            .ends_with("closure ran\nlock released\ngoodbye after SIGTERM\n"),
        "{report}"
    );
    assert!(!report.stderr().contains("graceful::test::"), "{report}");
    assert!(!report.stderr().contains("{\"reason\""), "{report}");
}

/// No `signal`: the body ends on its own, and the hooks still run (and are reported).
#[graceful::test(check = ended_on_its_own)]
fn a_body_that_ends_on_its_own_gets_no_signal() {
    println!("body done");
}

fn ended_on_its_own(report: Report) {
    report.assert_clean();
    assert_eq!(report.reason(), Some("main returned"), "{report}");
    assert_eq!(
        report.hook_names(),
        ["release_lock", "say goodbye"],
        "{report}"
    );
    assert_eq!(
        report.stdout().lines().next(),
        Some("body done"),
        "{report}"
    );
}

/// SIGINT, sent after a delay rather than at `ready()`; the default check (exit 0, every hook
/// ok) passes.
#[graceful::test(signal = SIGINT, after = "200ms")]
fn a_signal_after_a_delay() -> Result<(), Shutdown> {
    sleep_until_stopped()
}

/// An assertion that fails in the child fails the test in the parent.
#[graceful::test]
#[should_panic(expected = "the child did not end cleanly")]
fn a_failing_assertion_in_the_child_fails_the_test() {
    assert_eq!(1 + 1, 3, "arithmetic");
}

/// The same failure, expected, and checked from outside: exit 101, the hooks still ran.
#[graceful::test(check = panicked_and_cleaned_up)]
fn a_panicking_body_still_runs_the_hooks() {
    panic!("the body gives up");
}

fn panicked_and_cleaned_up(report: Report) {
    assert_eq!(report.exit_code(), Some(101), "{report}");
    assert_eq!(report.reason(), Some("main panicked"), "{report}");
    assert_eq!(
        report.hook_names(),
        ["release_lock", "say goodbye"],
        "{report}"
    );
    assert!(report.stderr().contains("the body gives up"), "{report}");
}

/// A child that never says it is ready is killed at `kill_after`, and the test fails saying
/// what it waited for.
#[graceful::test(signal = SIGTERM, kill_after = "1s")]
#[should_panic(expected = "it never called graceful::test::ready()")]
fn a_child_that_never_gets_ready_is_killed() {
    std::thread::sleep(Duration::from_secs(60));
}

/// A child that does not stop after its signal (it never asks) is killed at `kill_after`.
#[graceful::test(signal = SIGTERM, kill_after = "2s", timeout = "60s", body_timeout = "60s")]
#[should_panic(expected = "it did not end after its signal")]
fn a_child_that_hangs_after_its_signal_is_killed() {
    graceful::test::ready();
    std::thread::sleep(Duration::from_secs(60));
}

/// A second signal while a hook is stuck forces the exit: the child dies of it.
#[graceful::test(
    signal = SIGTERM,
    second = SIGINT,
    second_after = ready,
    check = forced_by_the_second
)]
fn a_second_signal_forces_the_exit() -> Result<(), Shutdown> {
    graceful::on_shutdown("stuck", || {
        graceful::test::ready(); // now the second signal
        std::thread::sleep(Duration::from_secs(60));
    });
    graceful::test::ready();
    sleep_until_stopped()
}

fn forced_by_the_second(report: Report) {
    assert_eq!(report.exit_code(), None, "{report}");
    assert_eq!(report.died_of(), Some(2), "{report}"); // SIGINT
    assert!(report.events().any(|e| e == "forced"), "{report}");
    assert!(report.hook_names().is_empty(), "{report}"); // "stuck" never ended
}

/// Sixteen graceful tests, run by `sixteen_graceful_tests_run_at_once` with sixteen threads.
mod parallel {
    macro_rules! sixteen {
        ($($name:ident)*) => {$(
            #[graceful::test(signal = SIGTERM)]
            fn $name() -> Result<(), graceful::Shutdown> {
                std::thread::sleep(std::time::Duration::from_millis(200));
                graceful::test::ready();
                super::sleep_until_stopped()
            }
        )*};
    }
    sixteen!(t01 t02 t03 t04 t05 t06 t07 t08 t09 t10 t11 t12 t13 t14 t15 t16);
}

/// The sixteen, each with its own child, at once in one test binary: each child gets its own
/// signal and none reaches the runner.
#[test]
fn sixteen_graceful_tests_run_at_once() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["parallel::", "--test-threads=16"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("16 passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
