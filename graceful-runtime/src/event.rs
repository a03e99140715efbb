//! What the report records: one [`Event`] per thing that happened from the first signal to the
//! exit, and how a hook ended.
//!
//! Layer 6: it imports the other model types (`hooks`, `main_end`, `exit_code`) and the leaves.

use std::{borrow::Cow, panic::Location, time::Duration};

use crate::{
    Reason, Signal, Work,
    exit_code::Decision,
    hooks::{GraphError, HookInfo},
    main_end::MainEnd,
};

#[derive(Clone, Debug)]
pub(crate) enum Event {
    /// The first signal, with a drain configured: not ready, the body keeps running.
    Draining(Signal, Duration),
    /// Stopping began (after the drain, if any).
    Stopping(Reason),
    /// A first signal while stopping for another reason.
    Absorbed(Signal),
    /// A later signal, with `second_signal = "ignore"`.
    Ignored(Signal),
    /// The first signal again, from the same sender, at once: one request delivered twice.
    Duplicate(Signal),
    /// The body ended after Stopping had begun for another reason.
    MainEnded(MainEnd),
    /// std's own line for an `Err` returned by main, `Error: {message}`: the program's line,
    /// not the report's (written in every mode, kept out of the JSON object and the sinks), and
    /// kept in the report's order so it is never written inside or after the report's lines
    /// about it.
    MainError(String),
    /// The closures' `after`/`before` admit no order: the hooks run without the edges.
    PlanDropped(GraphError),
    /// main returned with work still in flight: the hooks wait for it (described, the first
    /// few and a count).
    Waiting(Vec<String>),
    /// The body was still running at `body_timeout`, or work it holds was.
    MainAbandoned {
        after: Duration,
        fate: Fate,
        /// The work graceful knows was in flight (holds, threads, tasks), each described with
        /// its name and where it began: what main was waiting for, if graceful can know.
        held: Vec<String>,
        hint: Hint,
    },
    /// Work graceful ran (a thread, a task) panicked or returned an `Err`: its `Display` text or
    /// its panic message.
    WorkFailed {
        work: Work,
        error: String,
    },
    /// A hook ended: `started_ns` after the stop began, it ran `took_ns`.
    Hook {
        info: HookInfo,
        outcome: HookOutcome,
        took_ns: u64,
        started_ns: u64,
    },
    /// `timeout` passed; what was still running.
    Deadline {
        timeout: Duration,
        still_running: Vec<String>,
    },
    /// A second signal forced the exit.
    Forced(Signal),
    Exit(Decision),
    /// A supervised child process ended (`child`): reaped, before the stop or after its
    /// signal, or killed at its budget. Unix only.
    #[cfg_attr(not(unix), allow(dead_code))]
    Child {
        name: Cow<'static, str>,
        pid: u32,
        end: ChildEnd,
    },
    /// An action ran for its signal (`on_signal`), while the program runs: written at once, on
    /// a line of its own, never kept for the stop's report.
    Action {
        signal: Signal,
        name: Cow<'static, str>,
        at: &'static Location<'static>,
        outcome: HookOutcome,
        took_ns: u64,
    },
}

/// How a supervised child ended. Statuses read as `exit 0` or `signal 15 (SIGTERM)`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(not(unix), allow(dead_code))]
pub(crate) enum ChildEnd {
    /// It had exited by itself before the stop.
    Before(String),
    /// It exited after its stop signal, this long after.
    Stopped { status: String, after_ns: u64 },
    /// Still running at its budget: SIGKILLed and reaped (`None`: not reaped within a second).
    Killed {
        budget: Duration,
        status: Option<String>,
    },
    /// It could not be waited for (reaped by someone else).
    Lost(String),
}

/// What became of a body still running at `body_timeout`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Fate {
    /// An async body: dropped, its destructors run, then the hooks.
    Dropped,
    /// A sync body: the hooks run on another thread while it goes on.
    LeftRunning,
    /// main had returned, but work still held the stop: the hooks run without it.
    Returned,
}

/// Why a body overran `body_timeout`, as far as graceful can tell: what the report suggests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hint {
    /// Nothing in the program asked whether to stop since the stop began: its loop does not
    /// cooperate (the report names the calls that would).
    NeverAsked,
    /// It asked, so it was told, and it is still at work: something it waits on (a framework's
    /// own drain, typically) takes longer than `body_timeout`. The report states the budget
    /// rule: the framework's timeout below `body_timeout`, `body_timeout` at most `timeout`.
    BudgetRule,
}

/// How one hook ended.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum HookOutcome {
    Ok,
    Failed(String),
    Panicked(String),
    Exit(i32),
    /// Past its own timeout.
    TimedOut {
        after: Duration,
        then: AfterTimeout,
    },
}

impl HookOutcome {
    /// `Err`, a panic or past its timeout: the run exits 1 (unless a worse row applies).
    pub(crate) fn is_failure(&self) -> bool {
        matches!(
            self,
            HookOutcome::Failed(_) | HookOutcome::Panicked(_) | HookOutcome::TimedOut { .. }
        )
    }
}

/// What graceful did with a hook past its timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AfterTimeout {
    /// A sync hook (or an async one whose thread stays blocked): left running on its thread;
    /// the next hook runs on a fresh one.
    LeftRunning,
    /// An async hook: its future was dropped.
    Cancelled,
}
