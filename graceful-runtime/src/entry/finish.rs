//! The end of the body, shared by `run`, `run_async`, the install guard and `exit`: enter
//! Stopping for it (if nothing did yet), claim the hooks, announce it, run the hooks, decide.

use std::process::ExitCode;

use crate::{
    body, conclude, conclude::park_forever, event::Event, exit_code::Decision, main_end::MainEnd,
    report, runner, runner::Finish, state::STATE, stopping, unwind::drop_payload,
};

/// The body ended on this thread: run the hooks here and decide the exit. A thread that finds
/// the body abandoned, or the hooks taken (the watchdog sent them elsewhere), parks: the runner
/// that has them ends the process.
pub(crate) fn finish(end: MainEnd) -> Decision {
    if !STATE.body_ended() || !claim(&end) {
        park_forever();
    }
    run_here()
}

/// `finish`, on a fresh thread when this one is unwinding: a hook that panics on a thread that
/// is already unwinding would abort the process.
pub(crate) fn finish_off_the_unwind(end: MainEnd) -> Decision {
    if !std::thread::panicking() {
        return finish(end);
    }
    std::thread::scope(|s| s.spawn(|| finish(end)).join()).unwrap_or_else(|payload| {
        drop_payload(payload);
        Decision::Code(101)
    })
}

/// Keep `end`, enter Stopping for it if nothing did, claim the hooks and announce the end
/// (main's own error line first, then, before the first hook, the report's first line).
/// `false` when the hooks were claimed elsewhere.
pub(crate) fn claim(end: &MainEnd) -> bool {
    body::keep_end(end);
    // Stopping begins before anything is written, so the deadline holds even if the error line
    // blocks on a stderr nobody reads (the watchdog then sends the hooks on elsewhere).
    let began = stopping::stop(end.cause());
    if !STATE.claim_cleanup() {
        return false;
    }
    runner::start();
    if let MainEnd::Failed(message) = end {
        report::main_error(message);
    }
    if !began {
        report::record(Event::MainEnded(end.clone()));
    }
    true
}

/// Run the claimed hooks on this thread, then decide.
pub(crate) fn run_here() -> Decision {
    match runner::run_hooks(0) {
        Finish::Done => conclude::conclude(),
        Finish::Superseded => park_forever(),
    }
}

/// A child forked after graceful was installed, returning from the body: it is not
/// supervised, so it ends as std would end it, and runs no hook (they are the parent's).
pub(crate) fn as_std_would(end: MainEnd) -> ExitCode {
    match end {
        MainEnd::Failed(message) => {
            eprintln!("Error: {message}");
            ExitCode::FAILURE
        }
        MainEnd::Code(code) => code,
        MainEnd::Exited(code) => conclude::exit_code(crate::exit_code::exit_with(code)),
        MainEnd::Panicked => ExitCode::from(101),
        _ => ExitCode::SUCCESS,
    }
}
