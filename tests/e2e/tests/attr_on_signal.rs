//! `#[graceful::on_signal]` on real signals: sync and async actions run, each on its own
//! signal; a failing one is reported and the program goes on; a stop signal that an action
//! took is refused at start-up with 78.

use graceful_e2e::{Proc, SIGTERM};

const BIN: &str = env!("CARGO_BIN_EXE_attr_on_signal");

#[test]
fn attribute_actions_run_on_their_signals_and_a_failure_is_only_reported() {
    let p = Proc::start(BIN, &[], &[]);
    p.wait_for("ready");
    p.kill(libc::SIGUSR2);
    p.wait_for("counted:1");
    p.kill(libc::SIGUSR1);
    p.wait_for("reopened");
    p.kill(libc::SIGHUP);
    p.kill(libc::SIGUSR2);
    // Each before the stop: an action due once stopping has begun does not start.
    p.wait_for("reload:tried");
    p.wait_for("counted:2");
    p.kill(SIGTERM);
    let end = p.wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(
        end.stderr.contains(
            "SIGHUP: action \"reload\" (tests/e2e/src/bin/attr_on_signal.rs:24) failed in"
        ),
        "{}",
        end.stderr
    );
    assert!(
        end.stderr.contains("no such file: /etc/app.toml"),
        "{}",
        end.stderr
    );
    assert!(
        end.stderr.contains("SIGUSR2: action \"count\""),
        "{}",
        end.stderr
    );
}

#[test]
fn a_stop_signal_an_attribute_action_took_exits_78_naming_both() {
    let end = Proc::start(BIN, &[], &[("ATTR_ON_SIGNAL_CONFLICT", "1")]).wait();
    assert_eq!(end.code(), Some(78), "{end:#?}");
    assert!(
        end.stderr.contains(
            "SIGHUP is a stop signal (in signals) and the signal of the action \"reload\""
        ),
        "{}",
        end.stderr
    );
    assert!(!end.stdout.contains(&"ready".to_owned()), "{end:#?}");
}
