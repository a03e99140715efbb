//! Configuration: the [`Builder`], the environment, and the rules that combine them.
//!
//! Precedence: environment over builder (or attribute) over default.
//!
//! | setting | default | environment |
//! | --- | --- | --- |
//! | signals | `SIGTERM`, `SIGINT` | |
//! | timeout | 10 s | `GRACEFUL_TIMEOUT` (`250ms`, `5s`, `2m`) |
//! | drain | none | `GRACEFUL_DRAIN` |
//! | body_timeout | half of what the timeout leaves after the drain, never more | |
//! | exit code on a clean signal stop | 0 | |
//! | report | text | `GRACEFUL_REPORT` (`text`, `json`, `off`) |

mod duration;

use std::{fmt, io, time::Duration};

pub use duration::DurationError;
pub(crate) use duration::{parse as parse_duration, show as show_duration};

use crate::Signal;

/// How the shutdown report is written to stderr.
///
/// ```
/// let b = graceful_runtime::Builder::new().report(graceful_runtime::Report::Json);
/// # let _ = b;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Report {
    /// One line per event, as it happens (the default).
    #[default]
    Text,
    /// One JSON object when the process exits.
    Json,
    /// Nothing.
    Off,
}

/// The exit status of a clean stop after a signal.
///
/// ```
/// use graceful_runtime::{Builder, ExitPolicy};
/// // Die of the signal, so the supervisor sees 128+signo, as if graceful were not there.
/// let b = Builder::new().exit_code(ExitPolicy::Signal);
/// # let _ = b;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitPolicy {
    /// Exit with this code (the default is 0).
    Code(i32),
    /// Die of the signal that started the shutdown.
    Signal,
}

impl Default for ExitPolicy {
    fn default() -> Self {
        ExitPolicy::Code(0)
    }
}

/// Settings for [`install`](crate::install) and [`run`](Builder::run), for binaries that do
/// not use `#[graceful::main]` (the attribute expands to a `Builder` too).
///
/// ```
/// use std::time::Duration;
/// use graceful_runtime::{Builder, Signal};
/// let builder = Builder::new()
///     .timeout(Duration::from_secs(30))
///     .body_timeout(Duration::from_secs(5))
///     .signals([Signal::SIGTERM, Signal::SIGINT, Signal::SIGHUP]);
/// # let _ = builder;
/// ```
#[derive(Clone, Debug)]
pub struct Builder {
    pub(crate) signals: Vec<Signal>,
    pub(crate) timeout: Duration,
    pub(crate) body_timeout: Option<Duration>,
    pub(crate) drain: Option<Duration>,
    pub(crate) exit_code: ExitPolicy,
    pub(crate) report: Report,
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

impl Builder {
    /// The defaults: SIGTERM and SIGINT, a 10 s timeout, `body_timeout` half of it, exit 0 on a
    /// clean signal stop, the text report.
    pub fn new() -> Self {
        Builder {
            signals: Signal::DEFAULT.to_vec(),
            timeout: Duration::from_secs(10),
            body_timeout: None,
            drain: None,
            exit_code: ExitPolicy::default(),
            report: Report::Text,
        }
    }

    /// The budget from the start of Stopping to exit (default 10 s; `GRACEFUL_TIMEOUT` overrides
    /// it). Past it the process exits with 124, naming what was still running.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long `main` gets to return once Stopping begins (default half of `timeout`, and
    /// never more than `timeout`). Past it the hooks run without it.
    pub fn body_timeout(mut self, body_timeout: Duration) -> Self {
        self.body_timeout = Some(body_timeout);
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
    /// let b = graceful_runtime::Builder::new()
    ///     .drain(std::time::Duration::from_secs(5))
    ///     .timeout(std::time::Duration::from_secs(25));
    /// # let _ = b;
    /// ```
    pub fn drain(mut self, drain: Duration) -> Self {
        self.drain = Some(drain);
        self
    }

    /// The signals that start the shutdown (default SIGTERM and SIGINT). Duplicates are ignored.
    pub fn signals(mut self, signals: impl IntoIterator<Item = Signal>) -> Self {
        self.signals.clear();
        for s in signals {
            if !self.signals.contains(&s) {
                self.signals.push(s);
            }
        }
        self
    }

    /// The exit status of a clean stop after a signal (default 0).
    pub fn exit_code(mut self, policy: ExitPolicy) -> Self {
        self.exit_code = policy;
        self
    }

    /// How the report is written (default text; `GRACEFUL_REPORT` overrides it).
    pub fn report(mut self, report: Report) -> Self {
        self.report = report;
        self
    }

    /// Silence the report: the same as `.report(Report::Off)`.
    pub fn quiet(self) -> Self {
        self.report(Report::Off)
    }

    /// Combine with the environment, read through `env`.
    pub(crate) fn resolve(
        &self,
        env: impl Fn(&'static str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut timeout = self.timeout;
        if let Some(value) = env(ENV_TIMEOUT).filter(|v| !v.is_empty()) {
            timeout = parse_duration(&value).map_err(|e| ConfigError::Env {
                var: ENV_TIMEOUT,
                value: value.clone(),
                problem: EnvProblem::Duration(e),
            })?;
        }
        let mut report = self.report;
        if let Some(value) = env(ENV_REPORT).filter(|v| !v.is_empty()) {
            report = match value.as_str() {
                "text" => Report::Text,
                "json" => Report::Json,
                "off" => Report::Off,
                _ => {
                    return Err(ConfigError::Env {
                        var: ENV_REPORT,
                        value,
                        problem: EnvProblem::Report,
                    });
                }
            };
        }
        let mut drain = self.drain.unwrap_or_default();
        if let Some(value) = env(ENV_DRAIN).filter(|v| !v.is_empty()) {
            drain = parse_duration(&value).map_err(|e| ConfigError::Env {
                var: ENV_DRAIN,
                value: value.clone(),
                problem: EnvProblem::Duration(e),
            })?;
        }
        if drain >= timeout {
            return Err(ConfigError::DrainTooLong { drain, timeout });
        }
        let left = timeout - drain;
        let body_timeout = self.body_timeout.unwrap_or(left / 2).min(left);
        Ok(Config {
            signals: self.signals.clone(),
            timeout,
            body_timeout,
            drain,
            exit_code: self.exit_code,
            report,
        })
    }
}

pub(crate) const ENV_TIMEOUT: &str = "GRACEFUL_TIMEOUT";
pub(crate) const ENV_REPORT: &str = "GRACEFUL_REPORT";
pub(crate) const ENV_DRAIN: &str = "GRACEFUL_DRAIN";

/// The settings in force, after the environment was applied.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) signals: Vec<Signal>,
    pub(crate) timeout: Duration,
    pub(crate) body_timeout: Duration,
    pub(crate) drain: Duration,
    pub(crate) exit_code: ExitPolicy,
    pub(crate) report: Report,
}

/// Graceful could not start. The attribute and [`install`](crate::install) print it and exit
/// with 78 (`EX_CONFIG`) before the body of `main` runs; [`Builder::try_install`] returns it.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfigError {
    /// An environment variable holds a value graceful cannot use.
    Env {
        /// The variable, such as `GRACEFUL_TIMEOUT`.
        var: &'static str,
        /// Its value.
        value: String,
        /// What is wrong with it.
        problem: EnvProblem,
    },
    /// The drain leaves no time to stop: it must be shorter than `timeout`.
    DrainTooLong {
        /// The drain in force (`GRACEFUL_DRAIN`, the builder or the attribute).
        drain: Duration,
        /// The timeout in force (`GRACEFUL_TIMEOUT`, the builder or the attribute).
        timeout: Duration,
    },
    /// graceful was already installed in this process.
    AlreadyInstalled,
    /// The operating system refused a pipe, a thread or a signal handler.
    Os(io::Error),
}

/// What is wrong with an environment value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvProblem {
    /// Not a duration.
    Duration(DurationError),
    /// Not `text`, `json` or `off`.
    Report,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Env {
                var,
                value,
                problem,
            } => {
                write!(f, "{var}={value:?} is not valid: ")?;
                match problem {
                    EnvProblem::Duration(e) => write!(f, "{e}"),
                    EnvProblem::Report => f.write_str("use text, json or off"),
                }
            }
            ConfigError::DrainTooLong { drain, timeout } => write!(
                f,
                "the drain ({}) must be shorter than the timeout ({}), which it counts toward: \
                 lower {ENV_DRAIN} or raise {ENV_TIMEOUT} (or the attribute's drain and timeout)",
                show_duration(*drain),
                show_duration(*timeout)
            ),
            ConfigError::AlreadyInstalled => f.write_str(
                "graceful is already installed in this process; install it once, in main",
            ),
            ConfigError::Os(e) => write!(f, "could not set up signal handling: {e}"),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::Env {
                problem: EnvProblem::Duration(e),
                ..
            } => Some(e),
            ConfigError::Os(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn environment_beats_builder_and_body_timeout_follows() {
        let b = Builder::new().timeout(Duration::from_secs(30));
        let c = b.resolve(env(&[("GRACEFUL_TIMEOUT", "4s")])).unwrap();
        assert_eq!(c.timeout, Duration::from_secs(4));
        assert_eq!(c.body_timeout, Duration::from_secs(2));
    }

    #[test]
    fn body_timeout_never_exceeds_timeout() {
        let b = Builder::new().body_timeout(Duration::from_secs(20));
        let c = b.resolve(env(&[])).unwrap();
        assert_eq!(c.body_timeout, Duration::from_secs(10));
    }

    #[test]
    fn bad_values_name_the_variable_and_value() {
        let e = Builder::new()
            .resolve(env(&[("GRACEFUL_TIMEOUT", "5 parsecs")]))
            .unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("GRACEFUL_TIMEOUT=\"5 parsecs\""), "{msg}");
        let e = Builder::new()
            .resolve(env(&[("GRACEFUL_REPORT", "yaml")]))
            .unwrap_err();
        assert!(e.to_string().contains("GRACEFUL_REPORT=\"yaml\""));
    }

    #[test]
    fn drain_counts_toward_the_timeout() {
        let b = Builder::new().drain(Duration::from_secs(4));
        let c = b.resolve(env(&[])).unwrap();
        assert_eq!(c.drain, Duration::from_secs(4));
        assert_eq!(c.body_timeout, Duration::from_secs(3)); // half of the 6 s left
        let e = b.resolve(env(&[("GRACEFUL_TIMEOUT", "3s")])).unwrap_err();
        assert!(
            e.to_string()
                .contains("drain (4s) must be shorter than the timeout (3s)"),
            "{e}"
        );
        let c = Builder::new()
            .resolve(env(&[("GRACEFUL_DRAIN", "2s")]))
            .unwrap();
        assert_eq!(c.drain, Duration::from_secs(2));
    }

    #[test]
    fn report_mode_from_environment() {
        let c = Builder::new()
            .resolve(env(&[("GRACEFUL_REPORT", "json")]))
            .unwrap();
        assert_eq!(c.report, Report::Json);
    }
}
