//! The watchdog: one thread, armed from start-up until exit, that alone enforces the deadline,
//! the second signal and `body_timeout`, and steps in when something else gets stuck.
//!
//! What it must never do, so that no fault elsewhere can disarm it: run user code (no logger,
//! subscriber, waker, hook or user `Drop` runs here; wakers are the reporter's job), block on
//! I/O (its only writes are the bounded last words), or wait on a lock that other code can
//! hold (it only tries the report's and the runner's locks, with a bound). A panic in its own
//! code is caught and the next look comes 10 ms later.
//!
//! Its judgement is a pure function (`look.rs`): the state at one instant in, actions out.
//! This file reads the state, acts, and sleeps until the next look or a nudge. While nothing
//! asked for a stop it looks a few times a second at most (`Timing::idle_period`), because the
//! signal handler wakes nobody on the first signal; the deadline counts from the time the
//! handler recorded, so a late look costs nothing.
//!
//! Layer 2: it imports the runner (3), the conclusion and the body (4), the report (5), the
//! model types (6), `stopping` (7), the platform (8), the state machine (9) and the leaves.

mod look;

use std::{io, time::Duration};

use look::{Action, PATIENCE, Timing, View, Watch};

use crate::{
    Reason, body, clock, conclude,
    config::Config,
    event::{Event, Fate, Hint},
    holds, hooks,
    report::{self, reporter, stderr},
    runner,
    state::{Body, STATE},
    stopping::{self, DOG, HOLDS, dog_sleeps_until, request_wakes},
    sys,
    unwind::contained,
};

/// Start the watchdog for `config`.
pub(crate) fn spawn(config: &Config) -> io::Result<()> {
    let timing = Timing::new(config.timeout, config.body_timeout, config.drain)
        .second_signal(config.second_signal);
    let budgets = (config.timeout, config.body_timeout, config.drain);
    sys::spawn("graceful", Box::new(move || watch(timing, budgets)))
}

fn watch(timing: Timing, budgets: (Duration, Duration, Duration)) {
    // Off the main thread: sorting the hooks, which the first signal's path would otherwise do
    // (14.9 µs of page faults and cold code for one hook, measured).
    hooks::prepare();
    let mut watch = Watch::new(timing);
    loop {
        let seen = DOG.seq();
        let next = contained(|| {
            let now = clock::now_ns();
            let look = watch.look(&read(now));
            for action in look.actions {
                act(action, now, budgets);
            }
            look.next
        })
        .unwrap_or_else(|| Some(clock::now_ns().saturating_add(10_000_000)));
        dog_sleeps_until(next);
        DOG.wait(seen, next);
    }
}

/// The state at `now`, read without blocking.
fn read(now: u64) -> View {
    let (signals, last_signal) = STATE.signals();
    View {
        now,
        reason: STATE.reason(),
        stop_at: STATE.stop_at(),
        deadline_base: STATE.deadline_base(),
        signals,
        last_signal,
        duplicates: STATE.duplicates(),
        draining: STATE.draining(),
        body: STATE.body(),
        body_is_async: body::is_async(),
        cleanup_claimed: STATE.cleanup_claimed(),
        exit: STATE.exit_claimed(),
        handed_back: STATE.handed_back(),
        runner: runner::view(),
        stderr_stalled: stderr::stalled_for(now),
        reporter_stalled: reporter::stalled_for(now),
    }
}

/// The work still held, as the report names it: the first few, and how many more (a million
/// open holds must not hold up the watchdog); empty when none is. The list's lock is only tried
/// (it is held for a push or a removal at a time), a hundred times at most.
fn held() -> Vec<String> {
    for _ in 0..100 {
        if let Some((first, open)) = holds::try_first(holds::NAMED) {
            return holds::describe(&first, open);
        }
        std::thread::yield_now();
    }
    vec!["(the list of holds was busy)".to_owned()]
}

/// What was still running at the deadline: main and the work it holds, if the body had not
/// ended (`body_timeout` as long as `timeout` gives it the whole budget), then the hooks.
fn still_running() -> Vec<String> {
    let mut running = Vec::new();
    match STATE.body() {
        Body::Running => running.push("main".to_owned()),
        Body::Returned => {}
        _ => return runner::still_running(),
    }
    running.extend(held());
    running.extend(runner::still_running());
    running
}

/// Record an event of the watchdog's, if the report's lock comes free within 10 ms, and let
/// the reporter write it.
fn note(event: Event) {
    if report::try_record(event, clock::now_ns().saturating_add(10_000_000)) {
        reporter::nudge();
    }
}

fn act(action: Action, now: u64, (timeout, body_timeout, drain): (Duration, Duration, Duration)) {
    match action {
        Action::Force(signal) => conclude::forced(signal),
        Action::Deadline => conclude::at_deadline(timeout, still_running()),
        Action::ExitNow(code) => sys::exit_now(code),
        Action::ExitLate(code) => conclude::exit_late(timeout, code, runner::still_running()),
        Action::ReportAbsorbed(s) => note(Event::Absorbed(s)),
        Action::ReportIgnored(s) => note(Event::Ignored(s)),
        Action::ReportDuplicate(s) => note(Event::Duplicate(s)),
        Action::ReportDraining(s) => note(Event::Draining(s, drain)),
        Action::EndDrain(s) => {
            stopping::stop(Reason::Signal(s));
        }
        Action::NoticeStop => reporter::stop_noticed(),
        Action::AbandonBody { is_async } => {
            // Whoever moves the body to Abandoned (it may end at this very moment) acts.
            let Some(was) = STATE.abandon_body() else {
                return;
            };
            let fate = match (was, is_async) {
                (Body::Returned, _) => Fate::Returned,
                (_, true) => Fate::Dropped,
                (_, false) => Fate::LeftRunning,
            };
            let mut held = held();
            if held.is_empty() && fate == Fate::Returned {
                held.push("(released at this very moment)".to_owned());
            }
            note(Event::MainAbandoned {
                after: body_timeout,
                fate,
                held,
                hint: if STATE.asked() {
                    Hint::BudgetRule
                } else {
                    Hint::NeverAsked
                },
            });
            if is_async {
                // Its task drops it (or stops waiting for the holds), then its runtime runs
                // the hooks.
                request_wakes();
                reporter::nudge();
            } else {
                HOLDS.wake();
                runner::run_elsewhere();
            }
        }
        Action::RunHooksElsewhere => runner::run_elsewhere(),
        Action::TimeOutHook { lane, leave } => {
            runner::time_out(now, lane, leave, note);
        }
        Action::TakeOverRunner => {
            runner::take_over_between(now, PATIENCE);
        }
        Action::TakeOverReporter => reporter::take_over(),
    }
}
