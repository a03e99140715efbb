//! The end of the body, shared by `run`, `run_async`, the install guard and `exit`: enter
//! Stopping for it (if nothing did yet), wait for the work in flight (holds), claim the hooks,
//! announce it, run the hooks, decide.

use std::process::ExitCode;

use crate::{
    body, conclude, conclude::park_forever, event::Event, exit_code::Decision, holds,
    main_end::MainEnd, report, runner, runner::Finish, state::STATE, stopping,
    unwind::drop_payload,
};

/// The body ended on this thread: wait for the holds, run the hooks here and decide the exit.
/// A thread that finds the body abandoned, or the hooks taken (the watchdog sent them
/// elsewhere), parks: the runner that has them ends the process.
pub(crate) fn finish(end: MainEnd) -> Decision {
    let began = returned(&end);
    if !holds::wait_released() || !claim(&end, began) {
        park_forever();
    }
    run_here()
}

/// main returned with `end`: keep it and enter Stopping for it if nothing did (`true` if this
/// did), before anything is written, so the deadline holds even if a write blocks on a stderr
/// nobody reads; its thread now waits for the holds.
pub(crate) fn returned(end: &MainEnd) -> bool {
    body::keep_end(end);
    let began = stopping::stop(end.cause());
    STATE.body_returned();
    if let Some(held) = holds::held_now() {
        report::record(Event::Waiting(held));
    }
    began
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

/// Claim the hooks and announce main's `end` (main's own error line first, then, before the
/// first hook, the report's first line; `began`: main's end began the stop). `false` when the
/// hooks were claimed elsewhere.
pub(crate) fn claim(end: &MainEnd, began: bool) -> bool {
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
        Finish::Done => runner::conclude(),
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
