//! Signal intake: everything that runs in signal context, in two functions: [`received`] for
//! the stop signals, [`action_due`] for an action's.
//!
//! The rules, since it runs in a signal handler (unix) or a console control handler
//! (Windows): no allocation, no lock, no I/O, no panic. It touches lock-free atomics
//! (`state`), reads the monotonic clock (`clock_gettime`, async-signal-safe) and bumps words
//! (one `futex(2)` at most, or a `write(2)` of one byte to a pipe of graceful's own); a forked
//! child dies of the signal (`signal`, `sigprocmask`, `raise`, `_exit`).
//!
//! What it does not do matters as much: on the first signal it wakes nobody but the threads
//! asleep in graceful's `sleep`/`wait` (and the reporter, if futures or a service manager
//! wait for it), because every
//! thread woken from the handler costs the body's thread microseconds on its way to the first
//! hook (`BENCHMARKS.md` has the figures). The watchdog notices the stop on its next look; it
//! counts the deadline from the time recorded here, so noticing late costs nothing.
//!
//! Layer 7: it imports `stopping`'s words, the platform, the state machine and the leaves.

use crate::{
    Reason, Signal,
    state::STATE,
    stopping::{ACTION_DUE, ACTIONS, DOG, LATCH, REPORTER, reporter_wanted_at_signal},
    sys,
};

/// A configured signal arrived. `sender` is the sending process (0 for the kernel, or where the
/// platform does not say).
///
/// A repeat of the first signal from the same sender within `state::DUPLICATE_WINDOW_NS` is
/// one request delivered twice, not a second request: GNU `timeout` signals the child and then
/// its whole process group, and a shell's `kill` of a group reaches a process that was also
/// signalled directly. It is counted apart (the watchdog reports it) and never forces the exit.
pub(crate) fn received(signal: Signal, sender: i32) {
    if STATE.forked() {
        // A child forked after graceful was installed is not supervised: the signal does what
        // it would do without graceful.
        sys::die_of(signal);
    }
    if STATE.is_duplicate(signal, sender) {
        return;
    }
    // With a drain configured the first signal only flips readiness; the watchdog begins
    // Stopping when the drain is over.
    let (drains, began_drain) = STATE.begin_drain(signal);
    let began = !drains && STATE.begin(Reason::Signal(signal));
    // Counted after `begin`, so the watchdog never sees a first signal without its cause.
    STATE.note_signal(signal.as_raw());
    if began {
        LATCH.wake();
        if reporter_wanted_at_signal() {
            REPORTER.wake();
        }
    } else {
        // A drain to begin, a second signal to force the exit, or a first one to absorb: the
        // watchdog acts at once, and the reporter has a line to print.
        DOG.wake();
        if began_drain {
            REPORTER.wake();
        }
    }
}

/// An action's signal arrived: raise its flag and wake the actions' thread. Once Stopping has
/// begun no action starts, so the signal is dropped then.
pub(crate) fn action_due(signal: Signal, _sender: i32) {
    if STATE.forked() {
        // Not supervised: the signal does what it would do without graceful.
        sys::die_of(signal);
    }
    if STATE.stopping() {
        return;
    }
    let Some(i) = Signal::ACTIONS.iter().position(|s| *s == signal) else {
        return;
    };
    ACTION_DUE[i].store(true, std::sync::atomic::Ordering::Release);
    ACTIONS.wake();
}
