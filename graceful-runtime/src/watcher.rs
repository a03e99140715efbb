//! The watcher: one thread, armed from start-up until exit, that does what the signal handler
//! must not. It is woken through the events pipe (every signal, hook timeouts, report lines)
//! and by its own deadlines. It
//! - forces the exit on a second signal (the process dies of it),
//! - ends a drain: the body is told to stop once the drain is over,
//! - reports a first signal that arrives while stopping for another reason (absorbed),
//! - wakes the `shutdown()` futures on a signal,
//! - abandons a body still running at `body_timeout` and runs the hooks without it,
//! - leaves behind a hook past its own timeout,
//! - ends the process at the deadline (124), naming what was still running.

use std::{
    io,
    panic::{AssertUnwindSafe, catch_unwind},
};

use crate::{
    Reason, Signal, clock,
    config::Config,
    exit_code::Decision,
    lifecycle,
    report::{self, Event},
    runner,
    signal::{die_of, latch},
    state::{self, Body},
    wait,
};

pub(crate) fn spawn(config: Config) -> io::Result<()> {
    std::thread::Builder::new()
        .name("graceful".into())
        .spawn(move || watch(&config))
        .map(drop)
}

/// What the watcher remembers between wakes.
#[derive(Default)]
struct Watch {
    seen_signals: u32,
    duplicates_reported: bool,
    told_waiters: bool,
    drain_reported: bool,
    supervisor: Supervisor,
}

fn watch(config: &Config) {
    report::write_bounded_on_this_thread();
    let mut watch = Watch::default();
    let mut next = None;
    loop {
        latch::wait_events(next);
        // The watcher runs user code (wakers, a log subscriber): a panic there must not end
        // the supervision of the deadline and of a second signal.
        next = catch_unwind(AssertUnwindSafe(|| watch.step(config))).unwrap_or(None);
        // A deadline already past (the exit is under way elsewhere) must not spin the loop.
        let now = clock::now_ns();
        if let Some(n) = next {
            next = Some(n.max(now.saturating_add(SPIN_GUARD_NS)));
        }
    }
}

/// The least time between two looks.
const SPIN_GUARD_NS: u64 = 10_000_000;

impl Watch {
    /// One look at the state; returns when to look again.
    fn step(&mut self, config: &Config) -> Option<u64> {
        let (count, last) = state::signals();
        while self.seen_signals < count {
            self.seen_signals += 1;
            let signal = last.unwrap_or(Signal::SIGTERM);
            if self.seen_signals >= 2 {
                force(signal);
            } else if matches!(state::reason(), Some(r) if !matches!(r, Reason::Signal(_))) {
                report::record_soon(Event::Absorbed(signal));
            }
        }
        if !self.duplicates_reported && state::duplicates() > 0 {
            self.duplicates_reported = true;
            report::record_soon(Event::Duplicate(last.unwrap_or(Signal::SIGTERM)));
        }
        let now = clock::now_ns();
        let mut next = None;
        if let Some((since, signal)) = state::draining() {
            if !self.drain_reported {
                self.drain_reported = true;
                report::record_soon(Event::Draining(signal, config.drain));
            }
            let end = since.saturating_add(clock::ns(config.drain));
            if now >= end {
                lifecycle::stop(Reason::Signal(signal));
            } else if !state::stopping() {
                next = Some(end);
            }
        }
        if let Some(start) = state::stop_at() {
            if !self.told_waiters {
                self.told_waiters = true;
                wait::wake_all();
                // A signal's handler cannot print its cause, nor can trigger() or exit() on a
                // thread that then goes on; main's end prints its own, after its error line.
                if !matches!(state::reason(), Some(Reason::MainReturned | Reason::Panic)) {
                    report::note_cause();
                }
            }
            report::flush_deferred();
            next = supervise(config, start);
        }
        if let Some(again) = self.supervisor.tell(config, now) {
            next = Some(next.map_or(again, |n: u64| n.min(again)));
        }
        next
    }
}

/// Keeps a service manager informed (systemd, with the `systemd` feature).
#[derive(Default)]
struct Supervisor {
    told_stopping: bool,
    #[cfg_attr(not(all(unix, feature = "systemd")), allow(dead_code))]
    last_extend: u64,
}

impl Supervisor {
    /// Report the stop and keep extending the manager's stop timeout to our deadline, once a
    /// second; returns when to do it again.
    #[cfg(all(unix, feature = "systemd"))]
    fn tell(&mut self, config: &Config, now: u64) -> Option<u64> {
        const EVERY_NS: u64 = 1_000_000_000;
        let base = state::deadline_base()?;
        if !self.told_stopping {
            self.told_stopping = true;
            crate::systemd::stopping();
        }
        if now >= self.last_extend.saturating_add(EVERY_NS) {
            self.last_extend = now;
            let deadline = base.saturating_add(clock::ns(config.timeout));
            // Up to our own deadline, plus a second for the exit itself: never beyond.
            crate::systemd::extend((deadline.saturating_sub(now) + EVERY_NS) / 1_000);
        }
        Some(self.last_extend.saturating_add(EVERY_NS))
    }

    #[cfg(not(all(unix, feature = "systemd")))]
    fn tell(&mut self, _: &Config, _: u64) -> Option<u64> {
        self.told_stopping = state::deadline_base().is_some();
        None
    }
}

/// The deadlines of Stopping; returns when to look again.
fn supervise(config: &Config, start: u64) -> Option<u64> {
    let now = clock::now_ns();
    let base = state::deadline_base().unwrap_or(start);
    let deadline = base.saturating_add(clock::ns(config.timeout));
    if now >= deadline {
        deadline_passed(config);
    }
    let body_deadline = start.saturating_add(clock::ns(config.body_timeout));
    let mut next = deadline;
    match state::body() {
        Body::Running if now < body_deadline => next = next.min(body_deadline),
        // Whoever flips Running to Abandoned (the body may return at this very moment) acts.
        Body::Running if state::abandon_body() => {
            let dropped = lifecycle::body_is_async();
            report::record_soon(Event::BodyAbandoned(config.body_timeout, dropped));
            if dropped {
                // The async body drops itself and its runtime runs the hooks, unless the
                // runtime is too blocked to notice: then, after a grace, they run here.
                lifecycle::wake_body();
                next = next.min(now.saturating_add(ASYNC_GRACE_NS));
            } else {
                run_hooks_elsewhere();
            }
        }
        Body::Abandoned if now >= body_deadline.saturating_add(ASYNC_GRACE_NS) => {
            run_hooks_elsewhere();
        }
        Body::Abandoned => next = next.min(body_deadline.saturating_add(ASYNC_GRACE_NS)),
        _ => {}
    }
    next = next.min(hand_over_if_stuck(now));
    if let Some(hook_deadline) = runner::check_timeout(now) {
        next = next.min(hook_deadline);
    }
    Some(next)
}

/// How long a write of graceful's own to stderr may go without progress before the hooks go
/// on without the thread making it.
const HANDOVER_PATIENCE_NS: u64 = 500_000_000;

/// Between the body's end and the first hook, and between one hook and the next, the thread
/// due to run the next hook runs only graceful's code, which writes to stderr (main's error
/// line, the report). On a stderr nobody reads (a full pipe, or std's stderr lock held by a
/// logger stuck on one), such a write blocks for ever: once it has made no progress for
/// `HANDOVER_PATIENCE_NS`, the hooks go on on a fresh thread, whose writes give up instead. A
/// stderr that is only slow keeps making progress and keeps its thread. Returns when to look
/// again.
fn hand_over_if_stuck(now: u64) -> u64 {
    if report::write_stalled_for(now) >= HANDOVER_PATIENCE_NS {
        if !state::cleanup_claimed() {
            if state::body() == Body::Ended {
                run_hooks_elsewhere();
            }
        } else {
            runner::take_over_between_hooks();
        }
    }
    now.saturating_add(HANDOVER_PATIENCE_NS / 2)
}

/// How long an async body's runtime gets to notice that the body was dropped.
const ASYNC_GRACE_NS: u64 = 250_000_000;

/// Run the hooks on a fresh thread, unless someone already claimed them.
fn run_hooks_elsewhere() {
    if state::claim_cleanup() {
        runner::start();
        runner::spawn(0);
    }
}

fn deadline_passed(config: &Config) {
    if state::claim_exit() {
        let running = runner::still_running();
        report::last_words(
            Event::Deadline(config.timeout, running),
            &Decision::Code(124),
        );
        std::process::exit(124);
    }
    // Another thread is exiting; if it is stuck (on a full pipe, say), the deadline still
    // holds: give it a moment, then end the process without it.
    last_resort(124);
}

fn force(signal: Signal) {
    if state::claim_exit() {
        report::last_words(Event::Forced(signal), &Decision::Die(signal));
        die_of(signal);
    }
    last_resort(128 + signal.as_raw());
}

/// The exit was claimed by another thread that has not finished it: wait a second, then end
/// the process on the spot.
fn last_resort(code: i32) {
    std::thread::sleep(std::time::Duration::from_secs(1));
    crate::signal::exit_now(code);
}
