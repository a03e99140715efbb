//! The recipe for a library that owns its runtime and its signals (`owns_signals`): it stops by
//! itself on the signal, graceful sees the same signal, reports it, and runs the hooks after main
//! returns; a clean stop, 0.

use std::time::{Duration, Instant};

use graceful_e2e::{Proc, within};

fn stop_with(signal: i32, name: &str) {
    let p = Proc::start(env!("CARGO_BIN_EXE_owns_signals"), &[], &[]);
    p.wait_for("ready");
    let signalled = Instant::now();
    p.kill(signal);
    let end = p.wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    let draining = end.position(&format!("library: {name}, draining"));
    assert!(draining < end.position("library: drained"), "{end:#?}");
    assert!(
        end.position("library: drained") < end.position("hook:flush"),
        "{end:#?}"
    );
    assert!(
        end.stderr.contains(&format!("{name} received: stopping")),
        "{}",
        end.stderr
    );
    assert!(end.stderr.contains("exit 0"), "{}", end.stderr);
    within(signalled, Duration::from_secs(4));
}

#[test]
fn sigterm_stops_the_library_by_itself_and_graceful_reports_it() {
    stop_with(libc::SIGTERM, "SIGTERM");
}

#[test]
fn sigquit_in_signals_is_reported_as_sigquit_not_as_main_returning() {
    stop_with(libc::SIGQUIT, "SIGQUIT");
}
