//! [`Builder`]: graceful's settings in code, and the two ways to run under them ([`Builder::run`]
//! and [`Builder::install`]). Every `impl Builder` is here.

use std::{process::ExitCode, time::Duration};

use super::{guard::Guard, run as running, start};
use crate::main_end::MainEnd;
use crate::{ConfigError, ExitPolicy, MainReturn, Report, Signal, config::Settings};

/// Settings for [`install`](crate::install) and [`run`](Builder::run), for binaries that do
/// not use `#[graceful::main]` (the attribute expands to a `Builder` too).
///
/// ```
/// # use graceful_runtime as graceful;
/// use std::time::Duration;
/// use graceful::{Builder, Signal};
/// let builder = Builder::new()
///     .timeout(Duration::from_secs(30))
///     .body_timeout(Duration::from_secs(5))
///     .signals([Signal::SIGTERM, Signal::SIGINT, Signal::SIGHUP]);
/// # let _ = builder;
/// ```
#[derive(Clone, Debug, Default)]
pub struct Builder {
    pub(crate) settings: Settings,
}

impl Builder {
    /// The defaults: SIGTERM and SIGINT, a 10 s timeout, `body_timeout` half of it, exit 0 on a
    /// clean signal stop, the text report.
    pub fn new() -> Self {
        Builder::default()
    }

    /// The budget from the start of Stopping to exit (default 10 s; `GRACEFUL_TIMEOUT` overrides
    /// it). Past it the process exits with 124, naming what was still running.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = timeout;
        self
    }

    /// How long `main` gets to return once Stopping begins (default half of `timeout`, and
    /// never more than `timeout`). Past it the hooks run without it.
    pub fn body_timeout(mut self, body_timeout: Duration) -> Self {
        self.settings.body_timeout = Some(body_timeout);
        self
    }

    /// Drain before stopping (default none; `GRACEFUL_DRAIN` overrides it). After the first
    /// signal, [`is_ready`](crate::is_ready) turns false while the body keeps running for
    /// `drain`, so a load balancer can take the instance out of rotation (Kubernetes removes
    /// the endpoint when the readiness probe fails); only then is the body told to stop. A
    /// second signal still forces the exit. The drain counts toward `timeout`, which must be
    /// longer: drain + body_timeout + hooks ≤ timeout.
    ///
    /// ```
    /// # use graceful_runtime as graceful;
    /// let b = graceful::Builder::new()
    ///     .drain(std::time::Duration::from_secs(5))
    ///     .timeout(std::time::Duration::from_secs(25));
    /// # let _ = b;
    /// ```
    pub fn drain(mut self, drain: Duration) -> Self {
        self.settings.drain = Some(drain);
        self
    }

    /// The signals that start the shutdown (default SIGTERM and SIGINT). Duplicates are ignored.
    pub fn signals(mut self, signals: impl IntoIterator<Item = Signal>) -> Self {
        self.settings.signals.clear();
        for s in signals {
            if !self.settings.signals.contains(&s) {
                self.settings.signals.push(s);
            }
        }
        self
    }

    /// The exit status of a clean stop after a signal (default 0).
    pub fn exit_code(mut self, policy: ExitPolicy) -> Self {
        self.settings.exit_code = policy;
        self
    }

    /// How the report is written (default text; `GRACEFUL_REPORT` overrides it).
    pub fn report(mut self, report: Report) -> Self {
        self.settings.report = report;
        self
    }

    /// What a second signal does while stopping (default: force the exit;
    /// `GRACEFUL_SECOND_SIGNAL=force|ignore` overrides it). With
    /// [`SecondSignal::Ignore`](crate::SecondSignal::Ignore) it is reported and the stop goes
    /// on, bounded by `timeout` as ever: for a server that means to finish its drain whatever
    /// the supervisor repeats.
    pub fn second_signal(mut self, second: crate::SecondSignal) -> Self {
        self.settings.second_signal = second;
        self
    }

    /// Run the hooks that nothing orders at the same time (default `false`: one at a time;
    /// `GRACEFUL_HOOKS=concurrent|sequential` overrides it). Stages (`order`) stay barriers
    /// and `after`/`before` still sequence hooks; each hook is still isolated and timed, and
    /// all of them share the one deadline.
    ///
    /// ```
    /// # use graceful_runtime as graceful;
    /// let b = graceful::Builder::new().concurrent_hooks(true);
    /// # let _ = b;
    /// ```
    pub fn concurrent_hooks(mut self, concurrent: bool) -> Self {
        self.settings.concurrent_hooks = concurrent;
        self
    }

    /// Silence the report: the same as `.report(Report::Off)`.
    pub fn quiet(self) -> Self {
        self.report(Report::Off)
    }

    /// Answer health probes over HTTP on `addr` (off by default; `GRACEFUL_PROBE` overrides it,
    /// `GRACEFUL_PROBE=off` turns it off): `GET /livez` is 200 until the process exits, `GET
    /// /readyz` is 200 while [`is_ready`](crate::is_ready) and 503 from the first signal (with a
    /// [`drain`](Self::drain), for the whole drain). std only, one thread. An address graceful
    /// cannot listen on is a start-up error (exit 78) that names it.
    ///
    /// ```
    /// # use graceful_runtime as graceful;
    /// let b = graceful::Builder::new().probe(([127, 0, 0, 1], 9000).into());
    /// # let _ = b;
    /// ```
    pub fn probe(mut self, addr: std::net::SocketAddr) -> Self {
        self.settings.probe = Some(addr);
        self
    }

    /// Run `body` as the body of `main`: install the handlers, run it, then the hooks, and
    /// return the exit code of the design's table. This is what `#[graceful::main]` does.
    ///
    /// `body` may return `()`, `ExitCode` or `Result<(), E: Debug>`; an `Err` that is or wraps
    /// a [`Shutdown`](crate::Shutdown) is a clean stop. (For an error type of your own that
    /// wraps a `Shutdown` in its `source()`, the attribute sees through it; here the type must be
    /// `Shutdown`, `io::Error` or a boxed error.)
    ///
    /// A bad environment value (say `GRACEFUL_TIMEOUT=soon`) is printed, naming the variable,
    /// and the process exits with 78 before `body` runs. Where graceful is installed already
    /// (a nested `run`, in a hook say), it says so and runs `body` as a plain function,
    /// returning what std would make of its return value.
    ///
    /// ```no_run
    /// # use graceful_runtime as graceful;
    /// use std::{process::ExitCode, time::Duration};
    /// fn main() -> ExitCode {
    ///     graceful::Builder::new()
    ///         .timeout(Duration::from_secs(30))
    ///         .run(|| -> Result<(), graceful::Shutdown> {
    ///             loop {
    ///                 graceful::sleep(Duration::from_secs(1))?;
    ///             }
    ///         })
    /// }
    /// ```
    pub fn run<R: MainReturn>(self, body: impl FnOnce() -> R) -> ExitCode {
        running::run(&self.settings, || body().outcome())
    }

    /// Install graceful for the rest of `main`; see [`install`](crate::install).
    ///
    /// A bad environment value is printed, naming the variable, and the process exits with 78.
    /// Where graceful is installed already, it says so and returns a guard that does nothing.
    pub fn install(self) -> Guard {
        Guard::new(start::start_or_exit(&self.settings, false))
    }

    /// Like [`Builder::install`], but return a configuration error instead of exiting.
    ///
    /// # Errors
    /// A bad environment value, a second installation, a probe address graceful cannot listen
    /// on, or the OS refusing a thread or a signal handler. Every error but the last leaves
    /// nothing installed (the signals keep their default actions), so a program may carry on
    /// without graceful; the OS refusing a thread or a handler midway leaves what was done.
    pub fn try_install(self) -> Result<Guard, ConfigError> {
        start::start(&self.settings, false)?;
        Ok(Guard::new(true))
    }
}

/// Install graceful with the default settings; the returned [`Guard`] runs the hooks when it
/// is dropped at the end of `main`. For binaries that cannot take `#[graceful::main]`.
///
/// The guard cannot see `main`'s return value, so it applies the exit-code table without it:
/// after a signal, a failed hook, a deadline or `exit(code)` it exits the process itself;
/// otherwise it returns and `main`'s own return value decides, as usual. Once it has returned,
/// graceful no longer ends the process on its own (a second signal still forces the exit):
/// what `main` does after it is `main`'s. Use [`Builder::run`] (or the attribute) for the
/// full table.
///
/// A bad environment value is printed, naming the variable, and the process exits with 78.
///
/// ```no_run
/// # use graceful_runtime as graceful;
/// fn main() -> std::io::Result<()> {
///     let _graceful = graceful::install();
///     while !graceful::is_shutting_down() {
///         // ... work ...
///         # break;
///     }
///     Ok(())
/// } // the guard drops here: the hooks run
/// ```
pub fn install() -> Guard {
    Builder::new().install()
}

/// Run `body` as the body of main under graceful. Not public API: the attribute's expansion
/// calls it with the body's outcome already classified; users call [`Builder::run`].
#[doc(hidden)]
pub fn run(builder: Builder, body: impl FnOnce() -> MainEnd) -> ExitCode {
    running::run(&builder.settings, body)
}

/// Run the future `body` as the body of an async `main`, inside the program's runtime. Not
/// public API: `#[graceful::main]` above `#[tokio::main]` expands to it.
///
/// At `body_timeout` the body future is dropped, which runs its destructors; then the hooks
/// are awaited here, on the program's runtime, so tokio types work inside async hooks. The
/// process exits from here, after the report, without waiting for the runtime's teardown
/// (whose blocking threads could outlive the deadline).
#[doc(hidden)]
pub async fn run_async(
    builder: Builder,
    body: impl std::future::Future<Output = MainEnd>,
) -> ExitCode {
    running::run_async(&builder.settings, body).await
}
