//! The conclusion: the exit-code table applied to what happened, the report's last lines, and
//! the end of the process, in the three ways it can come:
//! - **the run's end** (`conclude`, then `end_process`): every hook ran; the exit is claimed
//!   once, the report is finished, and the process ends as std ends one (`atexit` handlers
//!   run, stdout is flushed). If that hangs (a handler that blocks), the watchdog's deadline
//!   still ends the process.
//! - **the deadline** and **the second signal** (`at_deadline`, `forced`): the watchdog's; last
//!   words written in bounded time, then the process ends at once, without `atexit` handlers
//!   or flushing stdio.
//!
//! Layer 4: it imports the report (5), the model types (6), the platform (8), the state machine
//! (9) and the leaves.

use std::{cell::Cell, io::Write as _, process::ExitCode, time::Duration};

use crate::{
    Signal, body, clock,
    config::in_force,
    exit_code::{Decision, Facts, decide},
    report::{self, Event, reporter},
    state::STATE,
    sys,
};

/// How long the last words may take before the process ends without them.
const LAST_WORDS_NS: u64 = 150_000_000;
/// How long the sinks get for the last events, at a normal exit.
const SINKS_NS: u64 = 100_000_000;

thread_local! {
    /// This thread claimed the exit and is ending the process.
    static EXITING_HERE: Cell<bool> = const { Cell::new(false) };
}

/// Block this thread for good: another thread ends the process.
pub(crate) fn park_forever() -> ! {
    loop {
        std::thread::park();
    }
}

/// Whether this thread is the one ending the process.
pub(crate) fn exiting_here() -> bool {
    EXITING_HERE.with(Cell::get)
}

/// The table, applied to what happened so far.
pub(crate) fn decision() -> Decision {
    decide(&Facts {
        reason: STATE.reason(),
        exit_request: STATE.exit_request(),
        exit_parked: STATE.exit_parked(),
        hook_failed: STATE.hook_failed(),
        work_failed: STATE.work_failed(),
        policy: in_force().map(|c| c.exit_code).unwrap_or_default(),
        ..Facts::new(body::end())
    })
}

/// Every hook ran: decide, claim the exit (a thread that loses parks: the winner ends the
/// process), and finish the report.
pub(crate) fn conclude() -> Decision {
    let decision = decision();
    if !STATE.claim_exit(decision.code()) {
        park_forever();
    }
    EXITING_HERE.with(|e| e.set(true));
    report::finish(&decision, clock::now_ns().saturating_add(SINKS_NS));
    // A stop however short is announced to systemd.
    reporter::stopping_once();
    decision
}

/// `decision` as main's return value, where std can carry it; otherwise the process ends here.
pub(crate) fn exit_code(decision: Decision) -> ExitCode {
    match decision {
        Decision::Code(code) => match u8::try_from(code) {
            Ok(code) => ExitCode::from(code),
            Err(_) => end_process(decision),
        },
        Decision::Main(code) => code,
        Decision::MainDecides => ExitCode::SUCCESS,
        other => end_process(other),
    }
}

/// End the process as `decision` says.
pub(crate) fn end_process(decision: Decision) -> ! {
    match decision {
        Decision::Die(signal) => {
            let _ = std::io::stdout().flush();
            sys::die_of(signal)
        }
        other => std::process::exit(other.code()),
    }
}

/// The watchdog's: `timeout` passed. Bounded last words, then the process ends at once.
pub(crate) fn at_deadline(timeout: Duration, still_running: Vec<String>) -> ! {
    let decision = Decision::Code(124);
    STATE.claim_exit(decision.code());
    report::last_words(
        Event::Deadline {
            timeout,
            still_running,
        },
        &decision,
        clock::now_ns().saturating_add(LAST_WORDS_NS),
    );
    sys::exit_now(decision.code())
}

/// The watchdog's: `timeout` passed while the exit decided after the hooks was under way
/// (the final stage's hooks, `running`, or an `atexit` handler or a flush stuck). The report
/// gave that exit (the JSON object too): one bounded line says what held it, and the process
/// ends with that code.
pub(crate) fn exit_late(timeout: Duration, code: i32, running: Vec<String>) -> ! {
    if report::writes_lines() {
        let held = match running.is_empty() {
            true => "an atexit handler, or a flush of stdout, is stuck".to_owned(),
            false => format!("the final stage still ran: {}", running.join(", ")),
        };
        let line = format!(
            "graceful: the deadline of {} passed while exiting ({held}): exit {code}, as \
             reported\n",
            crate::duration::show(timeout)
        );
        sys::stderr_bounded(
            line.as_bytes(),
            clock::now_ns().saturating_add(LAST_WORDS_NS),
        );
    }
    sys::exit_now(code)
}

/// The watchdog's: a second signal. Bounded last words, then the process dies of it.
pub(crate) fn forced(signal: Signal) -> ! {
    let decision = Decision::Die(signal);
    STATE.claim_exit(decision.code());
    report::last_words(
        Event::Forced(signal),
        &decision,
        clock::now_ns().saturating_add(LAST_WORDS_NS),
    );
    sys::die_of(signal)
}
