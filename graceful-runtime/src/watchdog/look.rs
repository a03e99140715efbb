//! The watchdog's judgement, as a pure function: a [`View`] of the process at one instant in,
//! the [`Action`]s due and when to look again out. No clock, no lock, no thread: the unit tests
//! below drive it through whole stops with made-up times.

use std::time::Duration;

use crate::{
    Reason, SecondSignal, Signal, clock,
    runner::{LaneView, RunnerView},
    state::Body,
};

/// The settings the watchdog enforces, in clock ns.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timing {
    pub(crate) timeout: u64,
    pub(crate) body_timeout: u64,
    pub(crate) drain: u64,
    pub(crate) second_signal: SecondSignal,
}

impl Timing {
    pub(crate) fn new(timeout: Duration, body_timeout: Duration, drain: Duration) -> Timing {
        Timing {
            timeout: clock::ns(timeout),
            body_timeout: clock::ns(body_timeout),
            drain: clock::ns(drain),
            second_signal: SecondSignal::Force,
        }
    }

    /// What a second signal does.
    pub(crate) fn second_signal(self, second_signal: SecondSignal) -> Timing {
        Timing {
            second_signal,
            ..self
        }
    }

    /// How often to look while nothing asked for a stop. The signal handler wakes nobody on
    /// the first signal (see `intake`), so this bounds how late the stop is noticed: a
    /// quarter of the shortest budget, so a deadline is never noticed after it passed, and at
    /// most a quarter of a second.
    pub(crate) fn idle_period(&self) -> u64 {
        (self.timeout.min(self.body_timeout) / 4).clamp(10 * MS, 250 * MS)
    }
}

const MS: u64 = 1_000_000;
/// How long a write to stderr, a job of the reporter's, or the runner between hooks may make
/// no progress before the watchdog steps in.
pub(crate) const PATIENCE: u64 = 500 * MS;
/// How long an async body (dropped) or an async hook (cancelled) gets to go.
pub(crate) const ASYNC_GRACE: u64 = 250 * MS;
/// While stopping, look at least this often (stalls, a stuck exit).
const TICK: u64 = 100 * MS;

/// The process at one instant, as the watchdog reads it.
#[derive(Clone, Debug)]
pub(crate) struct View {
    pub(crate) now: u64,
    pub(crate) reason: Option<Reason>,
    pub(crate) stop_at: Option<u64>,
    pub(crate) deadline_base: Option<u64>,
    pub(crate) signals: u32,
    pub(crate) last_signal: Option<Signal>,
    pub(crate) duplicates: u32,
    pub(crate) draining: Option<(u64, Signal)>,
    pub(crate) body: Body,
    pub(crate) body_is_async: bool,
    pub(crate) cleanup_claimed: bool,
    /// The exit claimed, with the code it was claimed with.
    pub(crate) exit: Option<(i32, u64)>,
    pub(crate) handed_back: bool,
    /// `None` when the runner's lock was busy at that instant.
    pub(crate) runner: Option<RunnerView>,
    pub(crate) stderr_stalled: u64,
    pub(crate) reporter_stalled: u64,
}

impl View {
    /// A process that is running, with nothing under way: for tests.
    #[cfg(test)]
    pub(crate) fn running(now: u64) -> View {
        View {
            now,
            reason: None,
            stop_at: None,
            deadline_base: None,
            signals: 0,
            last_signal: None,
            duplicates: 0,
            draining: None,
            body: Body::Running,
            body_is_async: false,
            cleanup_claimed: false,
            exit: None,
            handed_back: false,
            runner: Some(RunnerView::default()),
            stderr_stalled: 0,
            reporter_stalled: 0,
        }
    }
}

/// What the watchdog does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// A second signal: end the process by it.
    Force(Signal),
    /// The deadline passed: end the process with 124.
    Deadline,
    /// The exit was claimed with this code but cannot finish (its write to stderr is stuck).
    ExitNow(i32),
    /// The deadline passed while the decided exit was under way (an `atexit` handler, a flush):
    /// say so, and exit with the code the report gave.
    ExitLate(i32),
    ReportAbsorbed(Signal),
    /// A second signal, with `second_signal = "ignore"`: reported, the stop goes on.
    ReportIgnored(Signal),
    ReportDuplicate(Signal),
    ReportDraining(Signal),
    /// The drain is over: begin Stopping.
    EndDrain(Signal),
    /// Stopping began: the reporter has work.
    NoticeStop,
    /// The body is still running at `body_timeout`, or main returned and work is still held:
    /// abandon it (a sync body: and run the hooks without it; an async one: wake it, so it
    /// drops itself, or stops waiting, and runs them).
    AbandonBody {
        is_async: bool,
    },
    /// An abandoned async body's runtime did not run the hooks in time: run them elsewhere.
    RunHooksElsewhere,
    /// The hook under way on `lane` is past its timeout (`leave`: an async one did not go
    /// when cancelled).
    TimeOutHook {
        lane: u64,
        leave: bool,
    },
    /// Lanes are stuck between hooks (on stderr): fresh ones carry on.
    TakeOverRunner,
    TakeOverReporter,
}

/// The actions due, and when to look again (`None`: only when woken).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Look {
    pub(crate) actions: Vec<Action>,
    pub(crate) next: Option<u64>,
}

impl Look {
    fn at(&mut self, t: u64) {
        self.next = Some(self.next.map_or(t, |n| n.min(t)));
    }

    fn ends(action: Action) -> Look {
        Look {
            actions: vec![action],
            next: None,
        }
    }
}

/// What the watchdog remembers between looks.
#[derive(Debug)]
pub(crate) struct Watch {
    timing: Timing,
    seen_signals: u32,
    duplicate_reported: bool,
    ignored_reported: bool,
    drain_reported: bool,
    stop_noticed: bool,
    /// When an async body was abandoned (dropped), to give its runtime `ASYNC_GRACE`.
    abandoned_at: Option<u64>,
}

impl Watch {
    pub(crate) fn new(timing: Timing) -> Watch {
        Watch {
            timing,
            seen_signals: 0,
            duplicate_reported: false,
            ignored_reported: false,
            drain_reported: false,
            stop_noticed: false,
            abandoned_at: None,
        }
    }

    /// One look.
    pub(crate) fn look(&mut self, v: &View) -> Look {
        let mut look = Look::default();
        let now = v.now;
        while self.seen_signals < v.signals {
            self.seen_signals += 1;
            let signal = v.last_signal.unwrap_or(Signal::SIGTERM);
            if self.seen_signals >= 2 {
                // After the guard handed back no deadline bounds the process: a second signal
                // must still end it, whatever `second_signal` says.
                match self.timing.second_signal {
                    _ if v.handed_back => return Look::ends(Action::Force(signal)),
                    SecondSignal::Force => return Look::ends(Action::Force(signal)),
                    SecondSignal::Ignore => {
                        // Once: a storm of them must not flood the report.
                        if !self.ignored_reported {
                            self.ignored_reported = true;
                            look.actions.push(Action::ReportIgnored(signal));
                        }
                        continue;
                    }
                }
            }
            if matches!(v.reason, Some(r) if !matches!(r, Reason::Signal(_))) {
                look.actions.push(Action::ReportAbsorbed(signal));
            }
        }
        // A duplicate of the first signal, unless a second one was seen meanwhile (the line
        // would then contradict the one about it).
        if !self.duplicate_reported && v.duplicates > 0 && self.seen_signals < 2 {
            self.duplicate_reported = true;
            let signal = v.last_signal.unwrap_or(Signal::SIGTERM);
            look.actions.push(Action::ReportDuplicate(signal));
        }
        if let Some((since, signal)) = v.draining {
            if !self.drain_reported {
                self.drain_reported = true;
                look.actions.push(Action::ReportDraining(signal));
            }
            let end = since.saturating_add(self.timing.drain);
            if v.reason.is_none() {
                if now >= end {
                    look.actions.push(Action::EndDrain(signal));
                } else {
                    look.at(end);
                }
            }
        }
        if v.reporter_stalled >= PATIENCE {
            look.actions.push(Action::TakeOverReporter);
        }
        if v.handed_back {
            // main owns the process again; only a second signal still ends it.
            return look;
        }
        if let Some((code, _)) = v.exit {
            if v.stderr_stalled >= PATIENCE {
                return Look::ends(Action::ExitNow(code));
            }
        }
        let Some(start) = v.stop_at else {
            look.at(now.saturating_add(self.timing.idle_period()));
            return look;
        };
        if !self.stop_noticed {
            self.stop_noticed = true;
            look.actions.push(Action::NoticeStop);
        }
        let deadline = v
            .deadline_base
            .unwrap_or(start)
            .saturating_add(self.timing.timeout);
        if now >= deadline {
            // An exit already decided and reported (its code in the JSON object too), stuck in
            // what std's exit runs (an `atexit` handler, a flush): it ends with that code.
            if let Some((code, _)) = v.exit {
                return Look::ends(Action::ExitLate(code));
            }
            return Look::ends(Action::Deadline);
        }
        look.at(deadline);
        self.body(v, start, &mut look);
        if let Some(runner) = &v.runner {
            for lane in &runner.lanes {
                hook_due(lane, now, &mut look);
            }
            let stuck_between = runner.lanes.iter().any(|l| {
                l.between_since
                    .is_some_and(|since| now.saturating_sub(since) >= PATIENCE)
            });
            if stuck_between && v.stderr_stalled >= PATIENCE {
                look.actions.push(Action::TakeOverRunner);
            }
        }
        look.at(now.saturating_add(TICK));
        look
    }

    /// `body_timeout`: a body still running, or returned with work still held, is abandoned;
    /// then the hooks run without it (an async body first gets `ASYNC_GRACE` to be dropped on
    /// its runtime, which runs them).
    fn body(&mut self, v: &View, start: u64, look: &mut Look) {
        let now = v.now;
        let due = start.saturating_add(self.timing.body_timeout);
        match v.body {
            Body::Running | Body::Returned if now < due => look.at(due),
            Body::Running | Body::Returned => {
                look.actions.push(Action::AbandonBody {
                    is_async: v.body_is_async,
                });
                if v.body_is_async {
                    self.abandoned_at = Some(now);
                    look.at(now.saturating_add(ASYNC_GRACE));
                }
            }
            Body::Abandoned if v.body_is_async && !v.cleanup_claimed => {
                let since = self.abandoned_at.unwrap_or(due);
                if now >= since.saturating_add(ASYNC_GRACE) {
                    look.actions.push(Action::RunHooksElsewhere);
                } else {
                    look.at(since.saturating_add(ASYNC_GRACE));
                }
            }
            _ => {}
        }
    }
}

/// The hook under way on a lane: its timeout.
fn hook_due(lane_view: &LaneView, now: u64, look: &mut Look) {
    let (lane, Some(hook)) = (lane_view.lane, &lane_view.hook) else {
        return;
    };
    let Some(deadline) = hook.deadline else {
        return;
    };
    if now < deadline {
        look.at(deadline);
        return;
    }
    match (hook.is_async, hook.cancelled_at) {
        (false, _) => look
            .actions
            .push(Action::TimeOutHook { lane, leave: false }),
        (true, None) => {
            look.actions
                .push(Action::TimeOutHook { lane, leave: false });
            look.at(now.saturating_add(ASYNC_GRACE));
        }
        (true, Some(at)) if now >= at.saturating_add(ASYNC_GRACE) => {
            look.actions.push(Action::TimeOutHook { lane, leave: true });
        }
        (true, Some(at)) => look.at(at.saturating_add(ASYNC_GRACE)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::HookView;

    const S: u64 = 1_000_000_000;

    fn watch() -> Watch {
        Watch::new(Timing::new(
            Duration::from_secs(10),
            Duration::from_secs(5),
            Duration::ZERO,
        ))
    }

    fn stopping(now: u64) -> View {
        View {
            reason: Some(Reason::Signal(Signal::SIGTERM)),
            stop_at: Some(0),
            signals: 1,
            last_signal: Some(Signal::SIGTERM),
            ..View::running(now)
        }
    }

    #[test]
    fn an_ignored_second_signal_is_reported_and_the_deadline_still_holds() {
        let mut w = Watch::new(
            Timing::new(
                Duration::from_secs(10),
                Duration::from_secs(5),
                Duration::ZERO,
            )
            .second_signal(SecondSignal::Ignore),
        );
        let _ = w.look(&stopping(0));
        let mut twice = stopping(S);
        twice.signals = 3;
        let look = w.look(&twice);
        assert_eq!(
            look.actions
                .iter()
                .filter(|a| matches!(a, Action::ReportIgnored(_)))
                .count(),
            1,
            "reported once, however many come"
        );
        assert!(!look.actions.iter().any(|a| matches!(a, Action::Force(_))));
        assert_eq!(w.look(&stopping(10 * S)).actions, [Action::Deadline]);
    }

    #[test]
    fn while_running_it_only_looks_again_in_a_while() {
        let look = watch().look(&View::running(0));
        assert!(look.actions.is_empty());
        assert_eq!(look.next, Some(250 * MS));
        let short = Watch::new(Timing::new(
            Duration::from_millis(200),
            Duration::from_millis(100),
            Duration::ZERO,
        ));
        assert_eq!(short.timing.idle_period(), 25 * MS);
    }

    #[test]
    fn a_first_signal_is_noticed_and_a_second_forces() {
        let mut w = watch();
        let look = w.look(&stopping(MS));
        assert_eq!(look.actions, [Action::NoticeStop]);
        let mut v = stopping(2 * MS);
        v.signals = 2;
        v.last_signal = Some(Signal::SIGINT);
        assert_eq!(w.look(&v), Look::ends(Action::Force(Signal::SIGINT)));
    }

    #[test]
    fn a_signal_while_stopping_for_another_reason_is_absorbed() {
        let mut w = watch();
        let mut v = stopping(MS);
        v.reason = Some(Reason::MainReturned);
        assert!(
            w.look(&v)
                .actions
                .contains(&Action::ReportAbsorbed(Signal::SIGTERM))
        );
    }

    #[test]
    fn a_sync_body_past_body_timeout_is_abandoned_and_the_hooks_go_elsewhere() {
        let mut w = watch();
        let look = w.look(&stopping(4 * S));
        assert!(
            look.actions
                .iter()
                .all(|a| !matches!(a, Action::AbandonBody { .. }))
        );
        assert_eq!(look.next, Some(4 * S + TICK), "looks again within a tick");
        let look = w.look(&stopping(5 * S - TICK / 2));
        assert_eq!(look.next, Some(5 * S), "and exactly at body_timeout");
        let look = w.look(&stopping(5 * S));
        assert_eq!(look.actions, [Action::AbandonBody { is_async: false }]);
    }

    #[test]
    fn an_async_body_gets_a_grace_to_be_dropped_before_the_hooks_go_elsewhere() {
        let mut w = watch();
        let mut v = stopping(5 * S);
        v.body_is_async = true;
        let look = w.look(&v);
        assert!(
            look.actions
                .contains(&Action::AbandonBody { is_async: true })
        );
        assert!(!look.actions.contains(&Action::RunHooksElsewhere));
        v.body = Body::Abandoned;
        v.now = 5 * S + ASYNC_GRACE - 1;
        assert!(!w.look(&v).actions.contains(&Action::RunHooksElsewhere));
        v.now = 5 * S + ASYNC_GRACE;
        assert!(w.look(&v).actions.contains(&Action::RunHooksElsewhere));
        v.cleanup_claimed = true;
        assert!(!w.look(&v).actions.contains(&Action::RunHooksElsewhere));
    }

    #[test]
    fn the_deadline_counts_from_the_drain_and_ends_everything() {
        let mut w = watch();
        let mut v = stopping(10 * S - 1);
        v.body = Body::Ended;
        assert_eq!(w.look(&v).next, Some(10 * S));
        v.now = 10 * S;
        assert_eq!(w.look(&v), Look::ends(Action::Deadline));
        // With a drain, the deadline counts from the drain's start, before Stopping.
        let mut v = stopping(9 * S);
        v.deadline_base = Some(0);
        v.stop_at = Some(2 * S);
        v.body = Body::Ended;
        v.now = 10 * S;
        assert_eq!(w.look(&v), Look::ends(Action::Deadline));
    }

    #[test]
    fn a_drain_is_reported_then_ended_when_its_time_is_up() {
        let mut w = Watch::new(Timing::new(
            Duration::from_secs(10),
            Duration::from_secs(5),
            Duration::from_secs(1),
        ));
        let mut v = View::running(0);
        v.draining = Some((0, Signal::SIGTERM));
        v.signals = 1;
        let look = w.look(&v);
        assert_eq!(look.actions, [Action::ReportDraining(Signal::SIGTERM)]);
        assert_eq!(look.next, Some(250 * MS), "the idle look comes first");
        v.now = S - 100 * MS;
        assert_eq!(w.look(&v).next, Some(S), "then the drain's end");
        v.now = S;
        assert_eq!(w.look(&v).actions, [Action::EndDrain(Signal::SIGTERM)]);
    }

    #[test]
    fn hooks_past_their_timeout_are_timed_out_async_ones_cancelled_first() {
        let mut w = watch();
        let mut v = stopping(2 * S);
        v.body = Body::Ended;
        let hook = HookView {
            deadline: Some(2 * S),
            is_async: false,
            cancelled_at: None,
        };
        let lane = |lane, hook| LaneView {
            lane,
            between_since: None,
            hook: Some(hook),
        };
        let not_due = HookView {
            deadline: Some(3 * S),
            ..hook
        };
        v.runner = Some(RunnerView {
            lanes: vec![lane(0, not_due), lane(4, hook)],
        });
        let timed_out: Vec<Action> = (w.look(&v).actions.into_iter())
            .filter(|a| matches!(a, Action::TimeOutHook { .. }))
            .collect();
        assert_eq!(
            timed_out,
            [Action::TimeOutHook {
                lane: 4,
                leave: false
            }],
            "each lane's hook has its own timeout"
        );
        v.runner = Some(RunnerView {
            lanes: vec![lane(
                4,
                HookView {
                    is_async: true,
                    cancelled_at: Some(2 * S),
                    ..hook
                },
            )],
        });
        assert!(w.look(&v).actions.is_empty());
        v.now = 2 * S + ASYNC_GRACE;
        assert!(w.look(&v).actions.contains(&Action::TimeOutHook {
            lane: 4,
            leave: true
        }));
    }

    #[test]
    fn a_runner_stuck_between_hooks_on_stderr_is_taken_over_a_slow_one_is_not() {
        let mut w = watch();
        let mut v = stopping(2 * S);
        v.body = Body::Ended;
        v.runner = Some(RunnerView {
            lanes: vec![LaneView {
                lane: 0,
                between_since: Some(S),
                hook: None,
            }],
        });
        v.stderr_stalled = PATIENCE - 1;
        assert!(
            w.look(&v)
                .actions
                .iter()
                .all(|a| *a != Action::TakeOverRunner)
        );
        v.stderr_stalled = PATIENCE;
        let look = w.look(&v);
        assert!(look.actions.contains(&Action::TakeOverRunner));
    }

    #[test]
    fn a_claimed_exit_stuck_on_stderr_ends_with_its_own_code() {
        let mut w = watch();
        let mut v = stopping(S);
        v.exit = Some((0, S));
        v.stderr_stalled = PATIENCE;
        assert_eq!(w.look(&v), Look::ends(Action::ExitNow(0)));
    }

    #[test]
    fn an_exit_stuck_past_the_deadline_ends_with_the_code_it_reported() {
        // Found by review: the JSON object said 0, the process exited 124.
        let mut w = watch();
        let mut v = stopping(60 * S);
        v.exit = Some((0, S));
        assert_eq!(w.look(&v), Look::ends(Action::ExitLate(0)));
    }

    #[test]
    fn after_the_guard_handed_back_a_second_signal_forces_even_under_ignore() {
        // Found by review: under ignore, SIGTERM could no longer end a main that went on.
        let mut w = Watch::new(
            Timing::new(
                Duration::from_secs(10),
                Duration::from_secs(5),
                Duration::ZERO,
            )
            .second_signal(SecondSignal::Ignore),
        );
        let mut v = stopping(S);
        v.handed_back = true;
        let _ = w.look(&v);
        v.signals = 2;
        assert_eq!(w.look(&v), Look::ends(Action::Force(Signal::SIGTERM)));
    }

    #[test]
    fn after_the_guard_handed_back_only_a_second_signal_counts() {
        let mut w = watch();
        let mut v = stopping(60 * S);
        v.handed_back = true;
        v.exit = Some((0, S));
        v.stderr_stalled = PATIENCE;
        let look = w.look(&v);
        assert!(
            look.actions
                .iter()
                .all(|a| !matches!(a, Action::Deadline | Action::ExitNow(_)))
        );
        assert_eq!(look.next, None);
        v.signals = 2;
        assert_eq!(w.look(&v), Look::ends(Action::Force(Signal::SIGTERM)));
    }

    #[test]
    fn a_stuck_reporter_is_replaced() {
        let mut w = watch();
        let mut v = View::running(S);
        v.reporter_stalled = PATIENCE;
        assert!(w.look(&v).actions.contains(&Action::TakeOverReporter));
    }
}
