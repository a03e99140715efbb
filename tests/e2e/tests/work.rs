//! Work that must finish, on real processes with real signals: holds released in time and
//! late, threads and tasks awaited, failures that stop the program.

use graceful_e2e::{Ended, Proc, SIGTERM};

const BIN: &str = env!("CARGO_BIN_EXE_work");
const ASYNC: &str = env!("CARGO_BIN_EXE_work_async");

fn run(bin: &str, scenario: &str, signal: bool) -> Ended {
    let p = Proc::start(bin, &[scenario], &[]);
    p.wait_for("ready");
    if signal {
        p.kill(SIGTERM);
    }
    p.wait()
}

fn line(end: &Ended, text: &str) -> usize {
    end.position(text)
}

#[test]
fn a_hold_released_in_time_is_waited_for_before_the_hooks() {
    let end = run(BIN, "hold_released", true);
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(
        line(&end, "upload:done") < line(&end, "hook:after"),
        "{end:#?}"
    );
}

#[test]
fn a_hold_still_open_at_body_timeout_is_named_with_where_it_was_taken_and_exits_124() {
    let end = run(BIN, "hold_late", true);
    assert_eq!(end.code(), Some(124), "{end:#?}");
    assert_eq!(end.hooks(), ["after"], "{end:#?}");
    assert!(
        end.stderr
            .contains("main returned, but work was still in flight at body_timeout (2s): hold \"stuck 7\" (tests/e2e/src/bin/work.rs:"),
        "{}",
        end.stderr
    );
}

#[test]
fn once_the_hooks_have_begun_a_hold_is_refused() {
    let end = run(BIN, "hold_refused_in_hook", false);
    assert_eq!(end.code(), Some(0), "{end:#?}");
    // main returned with the upload in flight: it finished first, then the hooks, where a
    // new hold is refused.
    assert!(line(&end, "upload:done") < line(&end, "late:refused:shutting down: main returned"));
}

#[test]
fn a_hold_taken_before_graceful_is_installed_counts() {
    let end = run(BIN, "hold_before_install", false);
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(
        line(&end, "early:done") < line(&end, "hook:after"),
        "{end:#?}"
    );
}

#[test]
fn a_thread_is_awaited_after_main_returns_and_may_start_sub_work() {
    let p = Proc::start(BIN, &["thread_awaited"], &[("GRACEFUL_REPORT", "always")]);
    p.wait_for("ready");
    let end = p.wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(end.stdout.contains(&"tasks:1".to_owned()), "{end:#?}");
    assert!(
        end.stderr
            .contains("waiting for work in flight before the hooks: thread \"worker\""),
        "{}",
        end.stderr
    );
    assert!(
        line(&end, "worker:done") < line(&end, "hook:after"),
        "{end:#?}"
    );
}

#[test]
fn a_thread_that_panics_stops_the_program_named_and_exits_101() {
    let end = run(BIN, "thread_panics", false);
    assert_eq!(end.code(), Some(101), "{end:#?}");
    assert_eq!(end.hooks(), ["after"]);
    assert!(
        end.stderr
            .contains("graceful: thread \"fetcher\" panicked: stopping"),
        "{}",
        end.stderr
    );
    assert!(end.stderr.contains("fetch failed"), "{}", end.stderr);
}

#[test]
fn a_thread_that_returns_err_stops_the_program_with_the_error_and_exits_1() {
    let end = run(BIN, "thread_err", false);
    assert_eq!(end.code(), Some(1), "{end:#?}");
    assert_eq!(end.hooks(), ["after"]);
    assert!(
        end.stderr.contains("thread \"writer\" failed: disk full"),
        "{}",
        end.stderr
    );
}

#[test]
fn exit_in_a_spawned_thread_is_an_exit_not_a_failure() {
    let end = run(BIN, "thread_exits", false);
    assert_eq!(end.code(), Some(3), "{end:#?}");
    assert_eq!(end.hooks(), ["after"]);
}

#[test]
fn spawn_outside_a_tokio_runtime_panics_naming_the_fix() {
    let end = run(BIN, "spawn_outside_runtime", false);
    assert_eq!(end.code(), Some(101), "{end:#?}");
    assert!(
        end.stderr
            .contains("graceful::spawn(\"orphan\") must be called from inside a tokio runtime"),
        "{}",
        end.stderr
    );
    assert_eq!(end.hooks(), ["after"]);
}

#[test]
fn a_task_on_main_s_current_thread_runtime_is_awaited_without_blocking_it() {
    let end = run(ASYNC, "task_awaited", false);
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(
        line(&end, "sync:done") < line(&end, "hook:after"),
        "{end:#?}"
    );
}

#[test]
fn a_task_that_panics_stops_the_program_named_and_exits_101() {
    let end = run(ASYNC, "task_panics", false);
    assert_eq!(end.code(), Some(101), "{end:#?}");
    assert!(
        end.stderr.contains("task \"poller\" panicked: stopping"),
        "{}",
        end.stderr
    );
    assert!(end.stderr.contains("poll failed"), "{}", end.stderr);
    assert_eq!(end.hooks(), ["after"]);
}

#[test]
fn a_task_still_running_at_body_timeout_is_named_and_exits_124() {
    let end = run(ASYNC, "task_late", false);
    assert_eq!(end.code(), Some(124), "{end:#?}");
    assert!(
        end.stderr
            .contains("task \"forever\" (tests/e2e/src/bin/work_async.rs:"),
        "{}",
        end.stderr
    );
    assert_eq!(end.hooks(), ["after"]);
}

#[test]
fn async_closure_hooks_run_in_a_sync_main_and_one_past_its_timeout_is_cancelled() {
    let end = run(BIN, "async_closure_hooks", false);
    // Last registered first: the stuck one (cancelled at 200 ms: a failed hook, exit 1), then
    // the closure, then the future.
    assert_eq!(end.code(), Some(1), "{end:#?}");
    assert_eq!(end.hooks(), ["closure", "future"], "{end:#?}");
    assert!(
        end.stderr.contains("hook \"stuck\"") && end.stderr.contains("cancelled"),
        "{}",
        end.stderr
    );
}

#[test]
fn an_async_closure_hook_runs_on_main_s_own_runtime() {
    let end = run(ASYNC, "async_closure_hook", false);
    assert_eq!(end.code(), Some(0), "{end:#?}");
    // Last registered first.
    assert_eq!(end.hooks(), ["drained:last message", "after"], "{end:#?}");
}

#[test]
fn a_cancellation_token_is_cancelled_when_stopping_begins() {
    let end = run(ASYNC, "cancellation_token", true);
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(
        line(&end, "token:cancelled") < line(&end, "hook:after"),
        "{end:#?}"
    );
}

#[test]
fn a_miette_result_main_stopped_by_a_signal_exits_0() {
    let end = run(env!("CARGO_BIN_EXE_attr_miette"), "", true);
    assert_eq!(end.code(), Some(0), "{end:#?}");
}

#[test]
fn holds_that_never_overlap_do_not_hold_the_stop_to_body_timeout() {
    // Found by review: only main closed the list, and the worker took its next hold first.
    for _ in 0..5 {
        let started = std::time::Instant::now();
        let end = run(BIN, "churn", true);
        assert_eq!(end.code(), Some(0), "{end:#?}");
        assert!(
            started.elapsed() < std::time::Duration::from_millis(1500),
            "took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn exit_in_a_drop_while_a_spawned_thread_panics_reports_the_panic_at_once() {
    let started = std::time::Instant::now();
    let end = run(BIN, "exit_in_unwind", false);
    assert_eq!(end.code(), Some(101), "{end:#?}");
    assert!(
        started.elapsed() < std::time::Duration::from_millis(1500),
        "took {:?}: the thread's hold was kept",
        started.elapsed()
    );
    assert!(
        end.stderr.contains("thread \"q\" panicked"),
        "{}",
        end.stderr
    );
    assert_eq!(end.hooks(), ["after"]);
}

#[test]
fn a_million_open_holds_at_body_timeout_still_end_the_run_within_the_deadline() {
    let p = graceful_e2e::Proc::start(BIN, &["many_holds"], &[]);
    p.wait_for("ready");
    let signalled = std::time::Instant::now();
    p.kill(SIGTERM);
    let end = p.wait();
    // timeout 6 s (+250 ms): the watchdog names a few and counts the rest.
    assert!(
        signalled.elapsed() < std::time::Duration::from_millis(6250),
        "took {:?}",
        signalled.elapsed()
    );
    assert_eq!(end.code(), Some(124), "{end:#?}");
    assert!(
        end.stderr.contains("hold \"hold number 0\""),
        "{}",
        end.stderr
    );
    assert!(end.stderr.contains("more"), "{}", end.stderr);
    assert_eq!(end.hooks(), ["after"]);
}

#[test]
fn a_thread_name_std_refuses_is_not_a_panic() {
    let end = run(BIN, "nul_name", false);
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(end.stdout.contains(&"nul:ran".to_owned()), "{end:#?}");
}

#[test]
fn a_task_whose_future_panics_when_dropped_is_a_failure() {
    let end = run(ASYNC, "drop_panics", false);
    assert_eq!(end.code(), Some(101), "{end:#?}");
    assert!(
        end.stderr.contains("task \"dropper\" panicked"),
        "{}",
        end.stderr
    );
}

#[test]
fn cancel_on_shutdown_ends_an_async_sleep_at_the_signal() {
    let started = std::time::Instant::now();
    let end = run(ASYNC, "cancel", true);
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(line(&end, "cancelled:shutting down: SIGTERM") < line(&end, "hook:after"));
    // Once stopping, a future that is ready still gives its output.
    assert!(
        end.stdout.contains(&"after the stop:Ok(7)".to_owned()),
        "{end:#?}"
    );
}

#[test]
fn a_cancelled_async_hook_whose_local_panics_when_dropped_costs_that_hook_alone() {
    // Found by review: the future was dropped outside the runner's catch: exit 101, the next
    // hook skipped, no report.
    let end = run(BIN, "cancelled_drop_panics", false);
    assert_eq!(end.code(), Some(1), "{end:#?}");
    assert_eq!(end.hooks(), ["after"], "{end:#?}");
    assert!(end.stderr.contains("cancelled"), "{}", end.stderr);
    assert!(end.stderr.contains("exit 1"), "{}", end.stderr);
}

#[test]
fn exit_in_the_drop_of_a_cancelled_async_hook_exits_with_its_code() {
    let end = run(BIN, "cancelled_drop_exits", false);
    assert_eq!(end.code(), Some(3), "{end:#?}");
    assert_eq!(end.hooks(), ["after"], "{end:#?}");
}

#[test]
fn a_waker_that_blocks_does_not_keep_the_stop_from_the_other_futures() {
    // Found by review: the wakers not yet called were lost with the stuck reporter.
    let started = std::time::Instant::now();
    let end = run(BIN, "blocking_waker", false);
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(
        started.elapsed() < std::time::Duration::from_millis(1900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(end.hooks(), ["after"]);
}
