//! The `log` and `tracing` features: every report event reaches a real logger and a real
//! subscriber with its fields, while the stderr report is off.

use graceful_e2e::{Proc, SIGTERM};

#[test]
fn every_event_reaches_log_and_tracing_with_fields_while_stderr_stays_quiet() {
    let p = Proc::start(env!("CARGO_BIN_EXE_observe"), &[], &[]);
    p.wait_for("ready");
    p.kill(SIGTERM);
    let end = p.wait();
    assert_eq!(end.code(), Some(1), "{end:#?}"); // a hook failed
    assert_eq!(end.stderr, "", "quiet: no stderr report");
    let with = |prefix: &str, parts: &[&str]| {
        assert!(
            end.stdout
                .iter()
                .any(|l| l.starts_with(prefix) && parts.iter().all(|p| l.contains(p))),
            "no {prefix} line with {parts:?} in {:#?}",
            end.stdout
        );
    };
    for sink in ["log", "tracing"] {
        let info = format!("{sink}:INFO:graceful:");
        let warn = format!("{sink}:WARN:graceful:");
        with(&info, &["event=stopping", "cause=SIGTERM"]);
        with(&info, &["event=main_ended", "how=shutdown"]);
        with(
            &info,
            &[
                "event=hook",
                "name=flush_cache",
                "outcome=ok",
                "order=1",
                "took_ms=",
                "started_ms=",
            ],
        );
        with(
            &warn,
            &[
                "event=hook",
                "name=upload",
                "outcome=failed",
                "error=disk full",
            ],
        );
        with(&info, &["event=exit", "exit=1"]);
    }
    with("log:INFO:graceful:", &[":SIGTERM received: stopping"]);
}
