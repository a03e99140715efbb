//! The text report's lines: one per event, for people.
//!
//! The one line printed between a signal and the first hook ("SIGTERM received: stopping") is
//! rendered whole at start-up, for each configured signal, into [`Notes`]: the runner writes
//! those bytes and formats nothing on its way to the first hook. The lines for the stopping
//! cause and main's end are built from pieces with `push_str` and integer digits, without
//! `core::fmt`; the other lines are printed after a hook has run, or at exit, and use `write!`.

use std::{fmt::Write as _, time::Duration};

use super::{Event, HookOutcome};
use crate::{
    Reason, Signal,
    duration::show as parseable,
    event::{AfterTimeout, ChildEnd, Fate, Hint},
    main_end::MainEnd,
};

/// The parts of the lines that come from the configuration, rendered at start-up.
pub(super) struct Notes {
    /// For a signal, `trigger()` or `exit()`: " (main gets 5s, all 10s)".
    stop: String,
    /// For a stop that main began: " (deadline 10s)".
    deadline: String,
    /// With a drain, a signal's stop comes at the drain's end.
    drain: bool,
    /// The whole first line for each configured signal, as `write_line` renders it, with the
    /// `graceful: ` prefix and the newline: what the runner writes before the first hook.
    first_lines: Vec<(Signal, Box<[u8]>)>,
    /// `second_signal = "ignore"`: a later signal does not force the exit.
    pub(super) second_ignored: bool,
    /// `concurrent_hooks`: each hook's line says when it began.
    pub(super) concurrent: bool,
}

impl Notes {
    /// Before `configure`: no notes.
    pub(super) const NONE: Notes = Notes {
        stop: String::new(),
        deadline: String::new(),
        drain: false,
        first_lines: Vec::new(),
        second_ignored: false,
        concurrent: false,
    };

    pub(super) fn new(
        timeout: Duration,
        body_timeout: Duration,
        drain: Duration,
        signals: &[Signal],
    ) -> Notes {
        let (main, all) = same_unit(body_timeout, timeout);
        // Under `panic = "abort"` the report says, at the start of every stop, what cannot be
        // isolated there: the whole crate graph is built with the one panic strategy.
        let abort = if cfg!(panic = "abort") { ABORT } else { "" };
        let mut notes = Notes {
            stop: format!(" (main gets {main}, all {all}{abort})"),
            deadline: format!(" (deadline {}{abort})", show_duration(timeout)),
            drain: !drain.is_zero(),
            first_lines: Vec::new(),
            second_ignored: false,
            concurrent: false,
        };
        if !notes.drain {
            for &s in signals {
                let mut line = String::from("graceful: ");
                write_line(&mut line, &Event::Stopping(Reason::Signal(s)), 0, &notes);
                line.push('\n');
                notes.first_lines.push((s, line.into_bytes().into()));
            }
        }
        notes
    }

    /// The first line of a stop by `signal`, rendered at start-up.
    pub(super) fn first_line(&self, signal: Signal) -> Option<&[u8]> {
        self.first_lines
            .iter()
            .find(|(s, _)| *s == signal)
            .map(|(_, line)| &**line)
    }
}

/// Append the line for `event`, which happened `t_ns` after the start, without the
/// `graceful: ` prefix or the newline.
pub(super) fn write_line(out: &mut String, event: &Event, t_ns: u64, notes: &Notes) {
    match event {
        Event::Stopping(reason) => stopping(out, reason, t_ns, notes),
        Event::MainEnded(end) => {
            push_t(out, t_ns);
            out.push_str(" main ");
            match end {
                MainEnd::Ok | MainEnd::Unknown => out.push_str("returned"),
                MainEnd::Shutdown => out.push_str("returned Err(Shutdown): a clean stop"),
                MainEnd::Failed(_) => out.push_str("returned an error"),
                MainEnd::Code(_) => out.push_str("returned a failing ExitCode"),
                MainEnd::Exited(c) => {
                    out.push_str("ended by exit(");
                    push_int(out, i64::from(*c));
                    out.push(')');
                }
                MainEnd::Panicked => out.push_str("panicked"),
                MainEnd::PanickedAfterExit(c) => {
                    out.push_str("panicked after exit(");
                    push_int(out, i64::from(*c));
                    out.push_str(") unwound another thread: taken as that exit");
                }
                MainEnd::Abandoned => out.push_str("was abandoned"),
            }
        }
        Event::MainError(message) => {
            out.push_str("Error: ");
            out.push_str(message);
        }
        Event::Draining(s, d) => {
            let _ = write!(
                out,
                "{s} received: draining for {} (not ready; main keeps running)",
                show_duration(*d)
            );
        }
        Event::Absorbed(s) => {
            push_t(out, t_ns);
            let _ = write!(
                out,
                " {s} received while stopping: absorbed ({})",
                if notes.second_ignored {
                    "later ones are ignored; the deadline holds"
                } else {
                    "a second one forces exit"
                }
            );
        }
        Event::Ignored(s) => {
            push_t(out, t_ns);
            let _ = write!(
                out,
                " {s} received while stopping: ignored, as later signals will be \
                 (second_signal = \"ignore\"); the deadline holds"
            );
        }
        Event::Duplicate(s) => {
            push_t(out, t_ns);
            let _ = write!(
                out,
                " {s} again from the same sender at once: the same request, not a second one"
            );
        }
        Event::MainAbandoned {
            after,
            fate,
            held,
            hint,
        } => {
            push_t(out, t_ns);
            let _ = match fate {
                Fate::Returned => write!(
                    out,
                    " main returned, but work was still in flight at body_timeout ({})",
                    show_duration(*after)
                ),
                Fate::Dropped | Fate::LeftRunning => {
                    write!(out, " main did not return within {}", show_duration(*after))
                }
            };
            if !held.is_empty() {
                let _ = write!(
                    out,
                    "{} {}",
                    match fate {
                        Fate::Returned => ":",
                        _ => "; work still in flight:",
                    },
                    held.join(", ")
                );
            }
            out.push_str(match fate {
                Fate::Dropped => ": dropping it, then running hooks",
                _ => ": running hooks without it",
            });
            out.push_str(match hint {
                Hint::NeverAsked => NEVER_ASKED,
                Hint::BudgetRule => BUDGET_RULE,
            });
        }
        Event::Waiting(held) => {
            push_t(out, t_ns);
            let _ = write!(
                out,
                " waiting for work in flight before the hooks: {}",
                held.join(", ")
            );
        }
        Event::PlanDropped(problem) => {
            push_t(out, t_ns);
            let _ = write!(
                out,
                " the hooks run in their base order, without the closures' edges: {problem}"
            );
        }
        Event::WorkFailed { work, error } => {
            push_t(out, t_ns);
            let _ = write!(out, " {work}: {error}");
        }
        Event::Hook {
            info,
            outcome,
            took_ns,
            started_ns,
        } => {
            push_t(out, t_ns);
            let _ = write!(out, " hook {info} ");
            outcome_text(out, outcome, *took_ns);
            if notes.concurrent {
                // Hooks overlap: when each began shows how.
                let _ = write!(out, ", from +{}", ms(*started_ns));
            }
        }
        Event::Child { name, pid, end } => {
            // One that ended before the stop is said at once, outside it: no time since its
            // start.
            if !matches!(end, ChildEnd::Before(_)) {
                push_t(out, t_ns);
                out.push(' ');
            }
            let _ = write!(out, "child {name:?} (pid {pid}) ");
            let _ = match end {
                ChildEnd::Before(status) => write!(out, "had ended before the stop: {status}"),
                ChildEnd::Stopped { status, after_ns } => {
                    write!(out, "stopped in {}: {status}", ms(*after_ns))
                }
                ChildEnd::Killed { budget, status } => write!(
                    out,
                    "still running at its budget ({}): killed with SIGKILL, {}",
                    show_duration(*budget),
                    match status {
                        Some(s) => format!("reaped: {s}"),
                        None => "not reaped within 1s".to_owned(),
                    }
                ),
                ChildEnd::Lost(e) => write!(out, "could not be waited for: {e}"),
            };
        }
        // Not part of a stop: no time since its start.
        Event::Action {
            signal,
            name,
            at,
            outcome,
            took_ns,
        } => {
            let _ = write!(
                out,
                "{signal}: action {name:?} ({}:{}) ",
                at.file(),
                at.line()
            );
            outcome_text(out, outcome, *took_ns);
        }
        Event::Deadline {
            timeout,
            still_running,
        } => {
            push_t(out, t_ns);
            let running = if still_running.is_empty() {
                "nothing".to_string()
            } else {
                still_running.join(", ")
            };
            let _ = write!(
                out,
                " deadline of {} passed; still running: {running}",
                show_duration(*timeout)
            );
        }
        Event::Forced(s) => {
            push_t(out, t_ns);
            let _ = write!(out, " second signal ({s}): exiting now");
        }
        Event::Exit(d) => {
            push_t(out, t_ns);
            let _ = write!(out, " {d}");
        }
    }
}

/// How a hook or an action ended: "ok in 1.2ms", "failed in 3ms: disk full".
fn outcome_text(out: &mut String, outcome: &HookOutcome, took_ns: u64) {
    let took = ms(took_ns);
    let _ = match outcome {
        HookOutcome::Ok => write!(out, "ok in {took}"),
        HookOutcome::Failed(m) => write!(out, "failed in {took}: {m}"),
        HookOutcome::Panicked(m) => write!(out, "panicked in {took}: {m}"),
        HookOutcome::Exit(c) => write!(out, "called exit({c}) after {took}"),
        HookOutcome::TimedOut { after, then } => write!(
            out,
            "timed out after {}: {}",
            show_duration(*after),
            match then {
                AfterTimeout::Cancelled => "cancelled",
                AfterTimeout::LeftRunning => "left running",
            }
        ),
    };
}

/// The hint for a body abandoned without ever asking whether to stop.
const NEVER_ASKED: &str = "; nothing called graceful's check(), sleep(), wait() or \
    shutdown() since the stop began (is_shutting_down() is not counted): a loop that asks one \
    of them stops in time; a framework or library that stops on the signal by itself needs its \
    own timeout below body_timeout (the budget rule, docs/FRAMEWORKS.md)";

/// What a stop's first line adds in a build with `panic = "abort"`.
const ABORT: &str = "; built with panic = \"abort\": a panic in main or a hook ends the process \
    at once";

/// The hint for a body that was told to stop and is still at work: the budget rule.
const BUDGET_RULE: &str = "; it was told to stop and is still at work: what it waits for (a \
    framework's own drain, a download) must end within body_timeout (the budget rule: framework \
    timeout < body_timeout <= timeout, docs/FRAMEWORKS.md)";

fn stopping(out: &mut String, reason: &Reason, t_ns: u64, notes: &Notes) {
    match reason {
        Reason::Signal(_) if notes.drain => {
            push_t(out, t_ns);
            out.push_str(" drain over: stopping");
        }
        Reason::Signal(s) => {
            out.push_str(s.name());
            out.push_str(" received: stopping");
        }
        Reason::Trigger => out.push_str("trigger() called: stopping"),
        Reason::Exit(c) => {
            out.push_str("exit(");
            push_int(out, i64::from(*c));
            out.push_str(") called: stopping");
        }
        Reason::Panic => out.push_str("main panicked: running hooks"),
        Reason::MainReturned => out.push_str("main returned: running hooks"),
        Reason::Failed(work) => {
            let _ = write!(out, "{work}: stopping");
        }
    }
    out.push_str(match reason {
        Reason::Signal(_) | Reason::Trigger | Reason::Exit(_) | Reason::Failed(_) => &notes.stop,
        Reason::Panic | Reason::MainReturned => &notes.deadline,
    });
}

/// Two budgets in one unit, for one line: `5s, 10s`, `22.5s, 45s` (not `22500ms, 45s`),
/// `250ms, 500ms`.
fn same_unit(a: Duration, b: Duration) -> (String, String) {
    let (a_ms, b_ms) = (a.as_millis(), b.as_millis());
    if a_ms < 1000 || b_ms < 1000 {
        return (format!("{a_ms}ms"), format!("{b_ms}ms"));
    }
    if a_ms % 60_000 == 0 && b_ms % 60_000 == 0 {
        return (format!("{}m", a_ms / 60_000), format!("{}m", b_ms / 60_000));
    }
    (seconds(a), seconds(b))
}

/// `1.5s`, `10s`.
fn seconds(d: Duration) -> String {
    let text = format!("{:.3}", d.as_secs_f64());
    format!("{}s", text.trim_end_matches('0').trim_end_matches('.'))
}

/// A budget as the report gives it, in the unit the first line uses for it: under a second in
/// ms, whole minutes in m, else seconds with their fraction (`1.5s`, never `1500ms`).
fn show_duration(d: Duration) -> String {
    match d.as_millis() {
        ms if ms < 1000 || ms % 60_000 == 0 => parseable(d),
        _ => seconds(d),
    }
}

/// `+1.2ms`: the time since the start.
fn push_t(out: &mut String, t_ns: u64) {
    out.push('+');
    push_ms(out, t_ns);
}

/// Milliseconds for people: one decimal under 10 ms.
pub(super) fn ms(ns: u64) -> String {
    let mut out = String::new();
    push_ms(&mut out, ns);
    out
}

fn push_ms(out: &mut String, ns: u64) {
    let tenths = ns.saturating_add(50_000) / 100_000;
    if tenths < 100 {
        push_int(out, (tenths / 10) as i64);
        out.push('.');
        push_int(out, (tenths % 10) as i64);
    } else {
        push_int(out, (ns.saturating_add(500_000) / 1_000_000) as i64);
    }
    out.push_str("ms");
}

/// Decimal digits, without `core::fmt`.
fn push_int(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    let mut n = n.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn two_budgets_share_a_unit() {
        let ms = Duration::from_millis;
        assert_eq!(same_unit(ms(5000), ms(10000)), ("5s".into(), "10s".into()));
        assert_eq!(
            same_unit(ms(22500), ms(45000)),
            ("22.5s".into(), "45s".into())
        );
        assert_eq!(
            same_unit(ms(250), ms(500)),
            ("250ms".into(), "500ms".into())
        );
        assert_eq!(same_unit(ms(1500), ms(3000)), ("1.5s".into(), "3s".into()));
        assert_eq!(
            same_unit(ms(750), ms(2000)),
            ("750ms".into(), "2000ms".into())
        );
        assert_eq!(
            same_unit(ms(30_000), ms(60_000)),
            ("30s".into(), "60s".into())
        );
        assert_eq!(
            same_unit(ms(120_000), ms(180_000)),
            ("2m".into(), "3m".into())
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_read_well() {
        assert_eq!(ms(1_234_567), "1.2ms");
        assert_eq!(ms(12_345_678), "12ms");
        assert_eq!(ms(9_960_000), "10ms");
        assert_eq!(ms(40_000), "0.0ms");
        assert_eq!(ms(u64::MAX), format!("{}ms", u64::MAX / 1_000_000));
    }

    #[test]
    fn integers_match_core_fmt() {
        let edges = [i64::from(i32::MIN), i64::MIN, i64::MAX];
        for n in [0, 7, 10, 99, 255, -1, -78].into_iter().chain(edges) {
            let mut s = String::new();
            push_int(&mut s, n);
            assert_eq!(s, n.to_string());
        }
    }

    fn line(event: Event, t_ns: u64) -> String {
        let mut s = String::new();
        let notes = Notes::new(
            Duration::from_secs(10),
            Duration::from_secs(5),
            Duration::ZERO,
            &[Signal::SIGTERM],
        );
        write_line(&mut s, &event, t_ns, &notes);
        s
    }

    #[test]
    fn the_lines_before_the_first_hook_read_as_documented() {
        assert_eq!(
            line(Event::Stopping(Reason::Signal(Signal::SIGTERM)), 0),
            "SIGTERM received: stopping (main gets 5s, all 10s)"
        );
        assert_eq!(
            line(Event::Stopping(Reason::Exit(3)), 0),
            "exit(3) called: stopping (main gets 5s, all 10s)"
        );
        assert_eq!(
            line(Event::Stopping(Reason::MainReturned), 0),
            "main returned: running hooks (deadline 10s)"
        );
        assert_eq!(
            line(Event::MainEnded(MainEnd::Shutdown), 150_000),
            "+0.2ms main returned Err(Shutdown): a clean stop"
        );
        assert_eq!(
            line(Event::MainEnded(MainEnd::Exited(-2)), 12_000_000),
            "+12ms main ended by exit(-2)"
        );
    }

    #[test]
    fn a_body_past_body_timeout_is_told_what_it_waited_for_and_which_rule_applies() {
        let abandoned = |fate, held: &[&str], hint| Event::MainAbandoned {
            after: Duration::from_secs(5),
            fate,
            held: held.iter().map(|h| (*h).to_owned()).collect(),
            hint,
        };
        let still = line(
            abandoned(
                Fate::LeftRunning,
                &["hold \"download\" (src/main.rs:9)"],
                Hint::BudgetRule,
            ),
            5_000_000_000,
        );
        assert!(
            still.starts_with(
                "+5000ms main did not return within 5s; work still in flight: \
                 hold \"download\" (src/main.rs:9): running hooks without it; it was told to stop"
            ),
            "{still}"
        );
        assert!(
            still.ends_with(
                "(the budget rule: framework timeout < body_timeout <= timeout, docs/FRAMEWORKS.md)"
            ),
            "{still}"
        );
        let dropped = line(abandoned(Fate::Dropped, &[], Hint::NeverAsked), 0);
        assert!(
            dropped.starts_with(
                "+0.0ms main did not return within 5s: dropping it, then running hooks; nothing called"
            ),
            "{dropped}"
        );
        let returned = line(
            abandoned(Fate::Returned, &["task \"t\" (a.rs:1)"], Hint::BudgetRule),
            0,
        );
        assert!(
            returned.starts_with(
                "+0.0ms main returned, but work was still in flight at body_timeout (5s): \
                 task \"t\" (a.rs:1): running hooks without it; it was told"
            ),
            "{returned}"
        );
    }

    #[test]
    fn the_first_line_rendered_at_start_up_is_the_one_write_line_renders() {
        let notes = Notes::new(
            Duration::from_secs(10),
            Duration::from_secs(5),
            Duration::ZERO,
            &[Signal::SIGTERM, Signal::SIGINT],
        );
        assert_eq!(
            notes.first_line(Signal::SIGINT),
            Some(&b"graceful: SIGINT received: stopping (main gets 5s, all 10s)\n"[..])
        );
        assert_eq!(notes.first_line(Signal::SIGHUP), None);
        let drained = Notes::new(
            Duration::from_secs(10),
            Duration::from_secs(5),
            Duration::from_secs(1),
            &[Signal::SIGTERM],
        );
        assert_eq!(drained.first_line(Signal::SIGTERM), None);
    }
}
