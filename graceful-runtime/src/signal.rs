//! `Signal`: the signals graceful can handle, by name and number. A leaf: it imports nothing
//! of the crate.

use std::fmt;

/// A signal graceful handles: one that starts the shutdown sequence, or one that runs an action
/// ([`on_signal`](crate::on_signal)).
///
/// The default stop signals are [`Signal::SIGTERM`] and [`Signal::SIGINT`]; [`Signal::SIGHUP`]
/// and [`Signal::SIGQUIT`] are opt-in. [`Signal::SIGHUP`], [`Signal::SIGUSR1`] and
/// [`Signal::SIGUSR2`] may run actions instead (reload, reopen logs). `SIGKILL` and `SIGSTOP`
/// cannot be caught by any process and are not listed.
///
/// On Windows, console control events stand for signals: Ctrl-C and Ctrl-Break for `SIGINT`;
/// closing the console, logging off and shutting down for `SIGTERM`. `SIGHUP` and `SIGQUIT` may
/// be configured there but are never delivered. See `docs/PLATFORMS.md`.
///
/// ```
/// # use graceful_runtime as graceful;
/// use graceful::Signal;
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
    /// User signal 1: by convention "reopen the log files" (after logrotate).
    SIGUSR1,
    /// User signal 2: the program's own meaning.
    SIGUSR2,
}

impl Signal {
    /// Every signal graceful can handle, in a fixed order.
    pub const ALL: [Signal; 6] = [
        Signal::SIGTERM,
        Signal::SIGINT,
        Signal::SIGHUP,
        Signal::SIGQUIT,
        Signal::SIGUSR1,
        Signal::SIGUSR2,
    ];

    /// The signals an action may take: `SIGHUP`, `SIGUSR1`, `SIGUSR2`.
    pub const ACTIONS: [Signal; 3] = [Signal::SIGHUP, Signal::SIGUSR1, Signal::SIGUSR2];

    /// The default set: `SIGTERM` and `SIGINT`.
    pub const DEFAULT: [Signal; 2] = [Signal::SIGTERM, Signal::SIGINT];

    /// The signal's number, as `kill -l` shows it (`SIGUSR1` and `SIGUSR2` differ between Linux
    /// and the BSDs).
    ///
    /// ```
    /// # use graceful_runtime as graceful;
    /// assert_eq!(graceful::Signal::SIGINT.as_raw(), 2);
    /// ```
    pub const fn as_raw(self) -> i32 {
        match self {
            Signal::SIGHUP => 1,
            Signal::SIGINT => 2,
            Signal::SIGQUIT => 3,
            Signal::SIGTERM => 15,
            Signal::SIGUSR1 => USR1,
            Signal::SIGUSR2 => USR2,
        }
    }

    /// The signal with this number, if graceful handles it.
    ///
    /// ```
    /// # use graceful_runtime as graceful;
    /// use graceful::Signal;
    /// assert_eq!(Signal::from_raw(15), Some(Signal::SIGTERM));
    /// assert_eq!(Signal::from_raw(9), None);
    /// ```
    pub const fn from_raw(raw: i32) -> Option<Signal> {
        match raw {
            1 => Some(Signal::SIGHUP),
            2 => Some(Signal::SIGINT),
            3 => Some(Signal::SIGQUIT),
            15 => Some(Signal::SIGTERM),
            USR1 => Some(Signal::SIGUSR1),
            USR2 => Some(Signal::SIGUSR2),
            _ => None,
        }
    }

    /// The conventional name, `"SIGTERM"`.
    ///
    /// ```
    /// # use graceful_runtime as graceful;
    /// assert_eq!(graceful::Signal::SIGHUP.name(), "SIGHUP");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Signal::SIGTERM => "SIGTERM",
            Signal::SIGINT => "SIGINT",
            Signal::SIGHUP => "SIGHUP",
            Signal::SIGQUIT => "SIGQUIT",
            Signal::SIGUSR1 => "SIGUSR1",
            Signal::SIGUSR2 => "SIGUSR2",
        }
    }
}

/// `SIGUSR1` and `SIGUSR2`: 10 and 12 on Linux (and where no such signal is delivered, as on
/// Windows), 30 and 31 on macOS and the BSDs.
const USR: [i32; 2] = if cfg!(any(
    target_vendor = "apple",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly"
)) {
    [30, 31]
} else {
    [10, 12]
};
const USR1: i32 = USR[0];
const USR2: i32 = USR[1];

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
