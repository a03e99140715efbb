//! A second review of the hook graph: concurrent lanes beside a concluding thread that waits
//! for them (`graph_attack2`), `install()` handing back to main (`graph_attack2_install`), and
//! static hooks' edges beside closures whose edges admit no order (`graph_attack2_static`).

use std::time::{Duration, Instant};

use graceful_e2e::{Ended, Proc};

fn stop(bin: &str, scenario: &str, env: &[(&str, &str)]) -> (Ended, Duration) {
    let p = Proc::start(bin, &[scenario], env);
    p.wait_for("ready");
    let t0 = Instant::now();
    p.kill(libc::SIGTERM);
    let end = p.wait();
    (end, t0.elapsed())
}

const LANES: &str = env!("CARGO_BIN_EXE_graph_attack2");

/// Found by review: a lane told the waiting concluding thread its hook had ended before it
/// recorded the hook's outcome, so the concluding thread could decide the exit and finish the
/// report first (the JSON object lacked hooks; text lines came after the exit's, or never).
#[test]
fn hooks_ending_together_are_all_reported_before_the_exit_is_decided() {
    for run in 0..4 {
        let (end, _) = stop(LANES, "same_instant", &[("GRACEFUL_REPORT", "json")]);
        assert_eq!(end.code(), Some(0), "{end:#?}");
        let hooks = end.stderr.matches("\"event\":\"hook\"").count();
        assert_eq!(
            hooks, 200,
            "run {run}: the JSON object has {hooks} of the 200 hooks\n{}",
            end.stderr
        );
        let (end, _) = stop(LANES, "same_instant", &[]);
        let lines: Vec<&str> = end.stderr.lines().collect();
        let exit = lines
            .iter()
            .position(|l| l.contains(" exit 0"))
            .unwrap_or_else(|| panic!("no exit line\n{}", end.stderr));
        let before = lines[..exit]
            .iter()
            .filter(|l| l.contains(" hook "))
            .count();
        assert_eq!(
            before, 200,
            "run {run}: {before} of the 200 hook lines came before the exit's\n{}",
            end.stderr
        );
    }
}

#[test]
fn a_failing_hook_on_a_lane_beside_the_waiting_concluding_thread_makes_the_exit_1() {
    for _ in 0..3 {
        let (end, _) = stop(LANES, "lane_fails", &[]);
        assert_eq!(end.code(), Some(1), "{end:#?}");
        let last = end.stderr.lines().last().unwrap_or_default();
        assert!(last.ends_with("exit 1"), "{}", end.stderr);
    }
}

#[test]
fn a_hook_left_behind_beside_the_waiting_concluding_thread_is_said_before_the_exit() {
    let (end, took) = stop(LANES, "stage_timeout", &[]);
    assert_eq!(end.code(), Some(1), "{end:#?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    let stuck = end.stderr.find("\"stuck\"").expect("the report names it");
    assert!(
        stuck < end.stderr.find(" exit 1").unwrap(),
        "{}",
        end.stderr
    );
    let (end, took) = stop(LANES, "final_timeout", &[]);
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert!(
        end.stderr.contains("\"f stuck\"") && end.stderr.contains("timed out"),
        "{}",
        end.stderr
    );
}

const INSTALL: &str = env!("CARGO_BIN_EXE_graph_attack2_install");

/// main returns on its own under `install()`, with concurrent hooks: the guard hands back
/// only when the table says main decides, and ends the process promptly otherwise, even when
/// main's own hook was left behind.
#[test]
fn install_with_concurrent_hooks_hands_back_only_on_a_clean_run_and_ends_promptly_otherwise() {
    for (scenario, code, back) in [
        ("clean", 7, true),
        ("lane_exit", 3, false),
        ("lane_panic", 1, false),
        ("lane_timeout", 1, false),
        ("anchor_timeout", 1, false),
        ("other_exit", 5, false),
    ] {
        let t0 = Instant::now();
        let p = Proc::start(
            INSTALL,
            &[scenario],
            &[
                ("GRACEFUL_HOOKS", "concurrent"),
                ("GRACEFUL_TIMEOUT", "10s"),
            ],
        );
        let end = p.wait();
        let took = t0.elapsed();
        assert_eq!(end.code(), Some(code), "{scenario}: {end:#?}");
        assert_eq!(
            end.stdout.iter().any(|l| l == "main:back"),
            back,
            "{scenario}: {end:#?}"
        );
        assert!(
            took < Duration::from_secs(5),
            "{scenario}: took {took:?}\n{}",
            end.stderr
        );
    }
}

const STATIC: &str = env!("CARGO_BIN_EXE_graph_attack2_static");

/// Found by review: closures' edges that admit no order (a cycle, an edge against the stages)
/// dropped every edge, the static hooks' too, though those were checked at install: `a_flush`
/// (after `b_close`) ran first.
#[test]
fn closures_edges_that_admit_no_order_leave_the_static_hooks_edges_in_force() {
    for scenario in ["cycle", "against"] {
        for mode in ["sequential", "concurrent"] {
            let (end, _) = stop(STATIC, scenario, &[("GRACEFUL_HOOKS", mode)]);
            assert_eq!(end.code(), Some(1), "{scenario} {mode}: {end:#?}");
            assert!(end.stderr.contains("base order"), "{}", end.stderr);
            let hooks = end.hooks();
            let at = |n: &str| hooks.iter().position(|h| *h == n);
            assert!(
                at("b_close").is_some() && at("b_close") < at("a_flush"),
                "{scenario} {mode}: a_flush ran before the hook it is after: {hooks:?}\n{}",
                end.stderr
            );
        }
    }
}
