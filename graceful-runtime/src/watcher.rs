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

use std::io;

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

fn watch(config: &Config) {
    let mut seen_signals = 0;
    let mut duplicates_reported = false;
    let mut told_waiters = false;
    let mut drain_reported = false;
    let mut supervisor = Supervisor::default();
    let mut next = None;
    loop {
        latch::wait_events(next);
        let (count, last) = state::signals();
        while seen_signals < count {
            seen_signals += 1;
            let signal = last.unwrap_or(Signal::SIGTERM);
            if seen_signals >= 2 {
                force(signal);
            } else if matches!(state::reason(), Some(r) if !matches!(r, Reason::Signal(_))) {
                report::record_soon(Event::Absorbed(signal));
            }
        }
        if !duplicates_reported && state::duplicates() > 0 {
            duplicates_reported = true;
            report::record_soon(Event::Duplicate(last.unwrap_or(Signal::SIGTERM)));
        }
        let now = clock::now_ns();
        next = None;
        if let Some((since, signal)) = state::draining() {
            if !drain_reported {
                drain_reported = true;
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
            if !told_waiters {
                told_waiters = true;
                wait::wake_all();
                report::note_cause();
            }
            report::flush_deferred();
            next = supervise(config, start);
        }
        if let Some(again) = supervisor.tell(config, now) {
            next = Some(next.map_or(again, |n: u64| n.min(again)));
        }
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
    if let Some(hook_deadline) = runner::check_timeout(now) {
        next = next.min(hook_deadline);
    }
    Some(next)
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
}

fn force(signal: Signal) {
    if state::claim_exit() {
        report::last_words(Event::Forced(signal), &Decision::Die(signal));
        die_of(signal);
    }
}
