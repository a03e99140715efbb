//! The async rows of the contract, on real binaries with real signals.

use graceful_e2e::{Proc, SIGTERM};
use std::time::{Duration, Instant};

const MAIN: &str = env!("CARGO_BIN_EXE_async_main");

fn stopped(scenario: &str) -> graceful_e2e::Ended {
    let p = Proc::start(MAIN, &[scenario], &[]);
    p.wait_for("ready");
    p.kill(SIGTERM);
    p.wait()
}

#[test]
fn async_body_returns_on_sigterm_then_async_hooks_run_on_its_runtime() {
    let end = stopped("select");
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(end.position("body:shutting down: SIGTERM") < end.position("drop:body"));
    assert!(end.position("drop:body") < end.position("hook:async_flush:shutting down: SIGTERM"));
    assert_eq!(
        end.hooks(),
        [
            "async_flush:shutting down: SIGTERM",
            "slow_async",
            "sync_after"
        ]
    );
}

#[test]
fn async_body_ignoring_shutdown_is_dropped_at_body_timeout_with_its_drops_run() {
    let t0 = Instant::now();
    let end = stopped("ignore");
    assert_eq!(end.code(), Some(124), "{end:#?}");
    assert!(end.position("drop:body") < end.position("hook:sync_after"));
    assert_eq!(end.hooks().len(), 3, "{end:#?}");
    assert!(end.stderr.contains("dropping it"), "{}", end.stderr);
    assert!(t0.elapsed() < Duration::from_secs(10));
}

#[test]
fn async_hook_past_its_timeout_is_cancelled_and_the_next_runs() {
    let end = stopped("hook_timeout");
    assert_eq!(end.code(), Some(1), "{end:#?}");
    // The cancelled hook's future was dropped (its Drop ran) and it never printed.
    assert!(
        end.stdout.contains(&"drop:slow_async".to_string()),
        "{end:#?}"
    );
    assert!(!end.hooks().contains(&"slow_async"), "{end:#?}");
    assert!(end.hooks().contains(&"sync_after"), "{end:#?}");
    assert!(
        end.stderr.contains("timed out after 300ms"),
        "{}",
        end.stderr
    );
}

#[test]
fn exit_inside_an_async_body_unwinds_it_and_runs_the_hooks() {
    let end = Proc::start(MAIN, &["exit"], &[]).wait();
    assert_eq!(end.code(), Some(3), "{end:#?}");
    assert!(end.position("drop:body") < end.position("hook:sync_after"));
}

#[test]
fn tokio_main_above_graceful_still_gives_async_hooks_a_runtime() {
    let p = Proc::start(env!("CARGO_BIN_EXE_async_below"), &[], &[]);
    p.wait_for("ready");
    p.kill(SIGTERM);
    let end = p.wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(end.position("body:stopping") < end.position("hook:async_hook"));
}

#[test]
fn a_sync_main_drives_async_hooks_itself() {
    let end = Proc::start(env!("CARGO_BIN_EXE_sync_with_async_hook"), &[], &[]).wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert_eq!(end.hooks(), ["async_hook:shutting down: main returned"]);
}
