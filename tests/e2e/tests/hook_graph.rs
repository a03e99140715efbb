//! The hook graph on real processes: independent hooks overlapping under
//! `GRACEFUL_HOOKS=concurrent` (their start times in the JSON report), each still isolated and
//! timed, stages as barriers, the deadline still exact, the final stage after the report, and
//! closures' edges that form a cycle.

use std::time::{Duration, Instant};

use graceful_e2e::{Proc, SIGTERM};

const BIN: &str = env!("CARGO_BIN_EXE_hook_graph");

/// A hook's line in the JSON report.
#[derive(Debug)]
struct HookLine {
    name: String,
    outcome: String,
    started_ms: f64,
    took_ms: f64,
}

impl HookLine {
    fn ended_ms(&self) -> f64 {
        self.started_ms + self.took_ms
    }
}

/// The value of `"key":` in a flat JSON object's text.
fn field<'a>(object: &'a str, key: &str) -> Option<&'a str> {
    let at = object.find(&format!("\"{key}\":"))? + key.len() + 3;
    let rest = &object[at..];
    Some(match rest.strip_prefix('"') {
        Some(text) => &text[..text.find('"')?],
        None => &rest[..rest.find([',', '}']).unwrap_or(rest.len())],
    })
}

/// The hook events of the JSON report on stderr, in the order they ended.
fn hooks(stderr: &str) -> Vec<HookLine> {
    stderr
        .split('{')
        .filter(|o| field(o, "event") == Some("hook"))
        .map(|o| HookLine {
            name: field(o, "name").unwrap_or_default().to_owned(),
            outcome: field(o, "outcome").unwrap_or_default().to_owned(),
            started_ms: field(o, "started_ms").expect("started_ms").parse().unwrap(),
            took_ms: field(o, "took_ms").expect("took_ms").parse().unwrap(),
        })
        .collect()
}

fn stop(scenario: &str, env: &[(&str, &str)]) -> (graceful_e2e::Ended, Duration) {
    let p = Proc::start(BIN, &[scenario], env);
    p.wait_for("ready");
    let sent = Instant::now();
    p.kill(SIGTERM);
    let end = p.wait();
    (end, sent.elapsed())
}

fn by_name<'a>(lines: &'a [HookLine], name: &str) -> &'a HookLine {
    lines
        .iter()
        .find(|h| h.name == name)
        .unwrap_or_else(|| panic!("no hook {name:?} in {lines:#?}"))
}

#[test]
fn concurrent_hooks_overlap_each_isolated_and_timed_and_the_next_stage_waits_for_them() {
    let (end, _) = stop(
        "overlap",
        &[
            ("GRACEFUL_HOOKS", "concurrent"),
            ("GRACEFUL_REPORT", "json"),
        ],
    );
    assert_eq!(end.code(), Some(1), "hooks failed: {end:#?}");
    let lines = hooks(&end.stderr);
    assert_eq!(lines.len(), 6, "{lines:#?}\n{}", end.stderr);
    let stage0 = ["a", "b", "panics", "fails", "slow"];
    let first = stage0
        .iter()
        .map(|n| by_name(&lines, n).started_ms)
        .fold(f64::MAX, f64::min);
    for name in stage0 {
        let h = by_name(&lines, name);
        assert!(
            h.started_ms - first < 500.0,
            "{name} did not start with the others: {lines:#?}"
        );
    }
    assert_eq!(by_name(&lines, "panics").outcome, "panicked");
    assert_eq!(by_name(&lines, "fails").outcome, "failed");
    assert_eq!(by_name(&lines, "slow").outcome, "timed_out");
    assert_eq!(by_name(&lines, "a").outcome, "ok");
    // a and b overlap: each began before the other ended.
    let (a, b) = (by_name(&lines, "a"), by_name(&lines, "b"));
    assert!(a.started_ms < b.ended_ms() && b.started_ms < a.ended_ms());
    // The next stage began after every hook of this one had ended (the one left behind at its
    // timeout counts as ended then).
    let next = by_name(&lines, "next stage");
    for name in ["a", "b", "panics", "fails", "slow"] {
        assert!(
            next.started_ms >= by_name(&lines, name).ended_ms() - 1.0,
            "next stage began before {name} ended: {lines:#?}"
        );
    }
    assert!(
        next.started_ms < 2_500.0,
        "the stage ran one hook at a time: {lines:#?}"
    );
    for h in ["a", "b", "next stage"] {
        assert!(end.hooks().contains(&h), "{end:#?}");
    }
}

#[test]
fn sequential_hooks_run_one_after_another() {
    let (end, _) = stop(
        "overlap",
        &[
            ("GRACEFUL_HOOKS", "sequential"),
            ("GRACEFUL_REPORT", "json"),
        ],
    );
    assert_eq!(end.code(), Some(1), "{end:#?}");
    let lines = hooks(&end.stderr);
    assert_eq!(lines.len(), 6, "{lines:#?}");
    for pair in lines.windows(2) {
        assert!(
            pair[1].started_ms >= pair[0].ended_ms() - 1.0,
            "overlap in a sequential run: {lines:#?}"
        );
    }
}

#[test]
fn a_concurrent_stop_still_ends_at_the_deadline_naming_the_hook_that_held_it() {
    let (end, took) = stop(
        "deadline",
        &[("GRACEFUL_HOOKS", "concurrent"), ("GRACEFUL_TIMEOUT", "2s")],
    );
    assert_eq!(end.code(), Some(124), "{end:#?}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(end.hooks().contains(&"quick"), "{end:#?}");
    let deadline = end
        .stderr
        .lines()
        .find(|l| l.contains("deadline"))
        .unwrap_or_else(|| panic!("no deadline line: {}", end.stderr));
    assert!(deadline.contains("\"forever\""), "{deadline}");
}

#[test]
fn the_text_report_shows_when_each_concurrent_hook_began() {
    let (end, _) = stop("overlap", &[("GRACEFUL_HOOKS", "concurrent")]);
    let a = end
        .stderr
        .lines()
        .find(|l| l.contains("hook \"a\""))
        .unwrap_or_else(|| panic!("{}", end.stderr));
    assert!(a.contains(", from +"), "{a}");
}

#[test]
fn the_final_stage_runs_after_the_report_reached_its_sinks_and_cannot_change_the_exit() {
    for mode in ["sequential", "concurrent"] {
        let (end, _) = stop("final", &[("GRACEFUL_HOOKS", mode)]);
        assert_eq!(
            end.code(),
            Some(0),
            "a final hook's panic changes nothing: {end:#?}"
        );
        let saw = end
            .stdout
            .iter()
            .find_map(|l| l.strip_prefix("final-saw:"))
            .unwrap_or_else(|| panic!("the final hook did not run: {end:#?}"));
        let seen: Vec<&str> = saw.split(',').collect();
        for event in ["stopping", "hook", "exit"] {
            assert!(
                seen.contains(&event),
                "the final stage did not see {event}: {seen:?}"
            );
        }
        assert_eq!(seen.last(), Some(&"exit"), "{seen:?}");
        let stderr: Vec<&str> = end.stderr.lines().collect();
        let exit = stderr
            .iter()
            .position(|l| l.contains(" exit 0"))
            .unwrap_or_else(|| panic!("{}", end.stderr));
        let panicked = stderr
            .iter()
            .position(|l| l.contains("\"final panics\"") && l.contains("panicked"))
            .unwrap_or_else(|| panic!("the final hook's panic is not said: {}", end.stderr));
        assert!(exit < panicked, "{}", end.stderr);
        assert!(
            stderr[panicked].contains("(final, "),
            "{}",
            stderr[panicked]
        );
    }
}

#[test]
fn closures_whose_edges_form_a_cycle_still_run_once_and_the_exit_says_so() {
    let (end, _) = stop("cycle", &[]);
    assert_eq!(end.code(), Some(1), "{end:#?}");
    assert!(
        end.stderr.contains("form a cycle") && end.stderr.contains("\"a\""),
        "{}",
        end.stderr
    );
    let mut ran = end.hooks();
    ran.sort();
    assert_eq!(ran, ["a", "b"], "{end:#?}");
}

const LIBS: &str = env!("CARGO_BIN_EXE_graph_libs");

#[test]
fn hooks_of_two_library_crates_run_in_the_order_their_paths_say_stage_by_stage() {
    for mode in ["sequential", "concurrent"] {
        let p = Proc::start(LIBS, &[], &[("GRACEFUL_HOOKS", mode)]);
        p.wait_for("ready");
        p.kill(SIGTERM);
        let end = p.wait();
        assert_eq!(end.code(), Some(0), "{mode}: {end:#?}");
        let ran = end.hooks();
        assert_eq!(ran.len(), 8, "{mode}: {ran:?}");
        let at = |h: &str| {
            ran.iter()
                .position(|r| *r == h)
                .unwrap_or_else(|| panic!("{mode}: {h} did not run: {ran:?}"))
        };
        // The base order (module path) would put graph_a's hooks first: the edges win.
        assert!(at("flush_cache") < at("close_pool"), "{mode}: {ran:?}");
        assert!(at("close_pool") < at("seal_journal"), "{mode}: {ran:?}");
        assert!(at("seal_journal") < at("send_metrics"), "{mode}: {ran:?}");
        // Stages are barriers; the final stage comes last, its own edge kept.
        assert_eq!(ran[0], "first", "{mode}: {ran:?}");
        assert_eq!(at("last"), 5, "{mode}: {ran:?}");
        assert_eq!(
            &ran[6..],
            ["telemetry_setup", "telemetry"],
            "{mode}: {ran:?}"
        );
    }
}

#[test]
fn the_plan_is_printed_at_start_up_with_graceful_plan_before_the_body_runs() {
    let p = Proc::start(LIBS, &[], &[("GRACEFUL_PLAN", "1")]);
    p.wait_for("ready");
    p.kill(SIGTERM);
    let end = p.wait();
    let plan_at = end
        .stderr
        .find("the stop's plan: 8 hooks in 4 stages, sequential")
        .unwrap_or_else(|| panic!("{}", end.stderr));
    let stop_at = end.stderr.find("SIGTERM received").unwrap();
    assert!(plan_at < stop_at, "{}", end.stderr);
    assert!(
        end.stderr
            .contains("\"send_metrics\" (order 0, tests/e2e/libs/graph-b/src/lib.rs:15), after \"seal_journal\", \"flush_cache\""),
        "{}",
        end.stderr
    );
    for (var, value, says) in [
        (
            "GRACEFUL_PLAN",
            "yes",
            "GRACEFUL_PLAN=\"yes\" is not valid: use 1 or 0",
        ),
        (
            "GRACEFUL_HOOKS",
            "parallel",
            "GRACEFUL_HOOKS=\"parallel\" is not valid: use sequential or concurrent",
        ),
    ] {
        let end = Proc::start(LIBS, &[], &[(var, value)]).wait();
        assert_eq!(end.code(), Some(78), "{end:#?}");
        assert!(end.stderr.contains(says), "{}", end.stderr);
    }
}

#[test]
fn a_cycle_among_static_hooks_exits_78_before_the_body_naming_every_hook_on_it() {
    let p = Proc::start(env!("CARGO_BIN_EXE_graph_cycle"), &[], &[]);
    let end = p.wait();
    assert_eq!(end.code(), Some(78), "{end:#?}");
    assert!(end.stdout.is_empty(), "the body ran: {end:#?}");
    let line = end.stderr.trim();
    assert!(
        line.starts_with("graceful: the hooks' after/before form a cycle: "),
        "{line}"
    );
    for hook in ["\"a\"", "\"b\"", "\"c\""] {
        assert!(line.contains(hook), "{hook} not named: {line}");
    }
    assert!(!line.contains("\"fine\""), "{line}");
}

#[test]
fn with_install_main_gets_control_back_whichever_lane_ran_the_last_hook() {
    let end = Proc::start(env!("CARGO_BIN_EXE_graph_guard"), &[], &[]).wait();
    assert_eq!(end.code(), Some(7), "{end:#?}");
    let mut ran = end.hooks();
    ran.sort();
    assert_eq!(
        ran,
        ["quick", "quick final", "slow", "slow final"],
        "{end:#?}"
    );
    assert_eq!(
        end.stdout.last().map(String::as_str),
        Some("after the guard"),
        "{end:#?}"
    );
}
