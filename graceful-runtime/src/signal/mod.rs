//! Signal intake. `Signal` names the signals graceful can handle; the platform module owns the
//! handler, the latch that wakes waiting threads, and dying of a signal.
//!
//! This file only dispatches: `unix` (signals, through `signal-hook-registry`; a futex or a pipe
//! for the latch; a pipe for the watcher) and `windows` (console control events and Event
//! objects) expose the same names: `install(&[Signal])`, `die_of(Signal)`, and
//! `latch::{init, prepare, open, nudge, nudge_soon, wait, wait_events}`.

use std::fmt;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub(crate) use unix::{die_of, exit_now, install, latch, stderr_bounded};

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub(crate) use windows::{die_of, exit_now, install, latch, stderr_bounded};

/// What a signal does, on every platform. It runs in signal context on unix, so it only
/// touches lock-free atomics, `clock_gettime` and single system calls that wake (`futex(2)`,
/// `write(2)`, `timerfd_settime(2)`): async-signal-safe.
///
/// `sender` is the sending process (0 for the kernel, or where the platform does not say). A
/// repeat of the first signal from the same sender within `state::DUPLICATE_WINDOW_NS` is one
/// request delivered twice, not a second request: GNU `timeout` signals the child and then its
/// whole process group, and a shell's `kill` of a group reaches a process that was also
/// signalled directly. It is counted apart and never forces the exit.
fn received(signal: Signal, sender: i32) {
    if crate::state::is_duplicate(signal, sender) {
        latch::nudge();
        return;
    }
    // With a drain configured the first signal only flips readiness; the watcher begins
    // Stopping when the drain is over.
    if !crate::state::begin_drain(signal) && crate::state::begin(crate::Reason::Signal(signal)) {
        latch::open();
    }
    // Counted after `begin`, so the watcher never sees a first signal without its cause.
    let before = crate::state::note_signal(signal.as_raw());
    // The watcher acts on a second signal at once. The first one wakes the body's waiters
    // through the latch; the watcher is needed at once only by `shutdown()` futures.
    if before == 0 && !crate::wait::futures_waiting() {
        latch::nudge_soon();
    } else {
        latch::nudge();
    }
}

/// A signal that starts the shutdown sequence.
///
/// The default set is [`Signal::SIGTERM`] and [`Signal::SIGINT`]; [`Signal::SIGHUP`] and
/// [`Signal::SIGQUIT`] are opt-in. `SIGKILL` and `SIGSTOP` cannot be caught by any process and
/// are not listed.
///
/// On Windows, console control events stand for signals: Ctrl-C and Ctrl-Break for `SIGINT`;
/// closing the console, logging off and shutting down for `SIGTERM`. `SIGHUP` and `SIGQUIT` may
/// be configured there but are never delivered. See `docs/PLATFORMS.md`.
///
/// ```
/// use graceful_runtime::Signal;
/// assert_eq!(Signal::SIGTERM.to_string(), "SIGTERM");
/// assert_eq!(Signal::SIGTERM.as_raw(), 15);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(clippy::upper_case_acronyms)]
#[non_exhaustive]
pub enum Signal {
    /// Polite termination: what `kill`, Kubernetes, Docker and systemd send first.
    SIGTERM,
    /// Interrupt: Ctrl-C in a terminal.
    SIGINT,
    /// Hang-up: the terminal closed; many daemons use it for "reload" instead, so it is opt-in.
    SIGHUP,
    /// Quit: Ctrl-\ in a terminal; by default it dumps core, so it is opt-in.
    SIGQUIT,
}

impl Signal {
    /// Every signal graceful can handle, in a fixed order.
    pub const ALL: [Signal; 4] = [
        Signal::SIGTERM,
        Signal::SIGINT,
        Signal::SIGHUP,
        Signal::SIGQUIT,
    ];

    /// The default set: `SIGTERM` and `SIGINT`.
    pub const DEFAULT: [Signal; 2] = [Signal::SIGTERM, Signal::SIGINT];

    /// The signal's number, as `kill -l` shows it on Linux and macOS.
    ///
    /// ```
    /// assert_eq!(graceful_runtime::Signal::SIGINT.as_raw(), 2);
    /// ```
    pub const fn as_raw(self) -> i32 {
        match self {
            Signal::SIGHUP => 1,
            Signal::SIGINT => 2,
            Signal::SIGQUIT => 3,
            Signal::SIGTERM => 15,
        }
    }

    /// The signal with this number, if graceful handles it.
    ///
    /// ```
    /// use graceful_runtime::Signal;
    /// assert_eq!(Signal::from_raw(15), Some(Signal::SIGTERM));
    /// assert_eq!(Signal::from_raw(9), None);
    /// ```
    pub const fn from_raw(raw: i32) -> Option<Signal> {
        match raw {
            1 => Some(Signal::SIGHUP),
            2 => Some(Signal::SIGINT),
            3 => Some(Signal::SIGQUIT),
            15 => Some(Signal::SIGTERM),
            _ => None,
        }
    }

    /// The conventional name, `"SIGTERM"`.
    ///
    /// ```
    /// assert_eq!(graceful_runtime::Signal::SIGHUP.name(), "SIGHUP");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Signal::SIGTERM => "SIGTERM",
            Signal::SIGINT => "SIGINT",
            Signal::SIGHUP => "SIGHUP",
            Signal::SIGQUIT => "SIGQUIT",
        }
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
