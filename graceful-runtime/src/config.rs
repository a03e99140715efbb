//! Configuration: the settings a [`Builder`](crate::Builder) collects, the environment, and the
//! rules that combine them into the [`Config`] in force.
//!
//! Precedence: environment over builder (or attribute) over default.
//!
//! | setting | default | environment |
//! | --- | --- | --- |
//! | signals | `SIGTERM`, `SIGINT` | |
//! | timeout | 10 s | `GRACEFUL_TIMEOUT` (`250ms`, `5s`, `2m`) |
//! | drain | none | `GRACEFUL_DRAIN` (`0s` or `0ms`: no drain) |
//! | body_timeout | half of what the timeout leaves after the drain, never more | |
//! | exit code on a clean signal stop | 0 | |
//! | report | text, for a run something stopped or that went wrong | `GRACEFUL_REPORT` (`text`, `json`, `off`, `always`) |
//! | probe listener | none | `GRACEFUL_PROBE` (`127.0.0.1:9000`, `[::]:9000`; `off`) |
//! | a second signal | forces the exit | `GRACEFUL_SECOND_SIGNAL` (`force`, `ignore`) |
//! | hooks that nothing orders | run one at a time | `GRACEFUL_HOOKS` (`sequential`, `concurrent`) |
//! | print the stop's plan at start-up | no | `GRACEFUL_PLAN` (`1`, `0`) |

use std::{fmt, io, net::SocketAddr, time::Duration};

use crate::{
    Signal,
    duration::{
        DurationError, parse as parse_duration, parse_allowing_zero, show as show_duration,
    },
};

/// How the shutdown report is written to stderr.
///
/// The report speaks of a run when something asked for a stop or went wrong: a signal,
/// [`trigger()`](crate::trigger), a non-zero [`exit`](crate::exit), a failed hook or work, a
/// panic, `body_timeout` or the deadline. A program that ends on its own with every hook fine
/// prints nothing (main's own `Error: ...` line aside, as std prints it), unless the report is
/// [`Report::Always`].
///
/// ```
/// # use graceful_runtime as graceful;
/// let b = graceful::Builder::new().report(graceful::Report::Json);
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
    /// The text report on every run, a quiet one too.
    Always,
}

impl Report {
    /// The text lines are written.
    pub(crate) fn writes_lines(self) -> bool {
        matches!(self, Report::Text | Report::Always)
    }
}

/// The exit status of a clean stop after a signal.
///
/// ```
/// # use graceful_runtime as graceful;
/// use graceful::{Builder, ExitPolicy};
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

/// What a second signal does while the program stops.
///
/// ```
/// # use graceful_runtime as graceful;
/// use graceful::{Builder, SecondSignal};
/// // A server that finishes its drain whatever the supervisor sends meanwhile.
/// let b = Builder::new().second_signal(SecondSignal::Ignore);
/// # let _ = b;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SecondSignal {
    /// End the process at once, by that signal (the default: a second Ctrl-C).
    #[default]
    Force,
    /// Report it and carry on: the deadline still bounds the stop.
    Ignore,
}

/// What a [`Builder`](crate::Builder) (or the attribute) sets, before the environment.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub(crate) signals: Vec<Signal>,
    pub(crate) timeout: Duration,
    pub(crate) body_timeout: Option<Duration>,
    pub(crate) drain: Option<Duration>,
    pub(crate) exit_code: ExitPolicy,
    pub(crate) report: Report,
    pub(crate) probe: Option<SocketAddr>,
    pub(crate) second_signal: SecondSignal,
    pub(crate) concurrent_hooks: bool,
}

impl Default for Settings {
    /// SIGTERM and SIGINT, a 10 s timeout, `body_timeout` half of what it leaves after the
    /// drain, exit 0 on a clean signal stop, the text report.
    fn default() -> Self {
        Settings {
            signals: Signal::DEFAULT.to_vec(),
            timeout: Duration::from_secs(10),
            body_timeout: None,
            drain: None,
            exit_code: ExitPolicy::default(),
            report: Report::Text,
            probe: None,
            second_signal: SecondSignal::Force,
            concurrent_hooks: false,
        }
    }
}

impl Settings {
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
                "always" => Report::Always,
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
            drain = parse_allowing_zero(&value).map_err(|e| ConfigError::Env {
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
        let mut probe = self.probe;
        if let Some(value) = env(ENV_PROBE).filter(|v| !v.is_empty()) {
            let refused = |problem| ConfigError::Env {
                var: ENV_PROBE,
                value: value.clone(),
                problem,
            };
            probe = match value.as_str() {
                "off" => None,
                _ => match value.parse::<SocketAddr>() {
                    Ok(addr) if addr.port() == 0 => return Err(refused(EnvProblem::PortZero)),
                    Ok(addr) => Some(addr),
                    Err(_) => return Err(refused(EnvProblem::Address)),
                },
            };
        }
        let mut second_signal = self.second_signal;
        if let Some(value) = env(ENV_SECOND_SIGNAL).filter(|v| !v.is_empty()) {
            second_signal = match value.as_str() {
                "force" => SecondSignal::Force,
                "ignore" => SecondSignal::Ignore,
                _ => {
                    return Err(ConfigError::Env {
                        var: ENV_SECOND_SIGNAL,
                        value,
                        problem: EnvProblem::SecondSignal,
                    });
                }
            };
        }
        let mut concurrent_hooks = self.concurrent_hooks;
        if let Some(value) = env(ENV_HOOKS).filter(|v| !v.is_empty()) {
            concurrent_hooks = match value.as_str() {
                "concurrent" => true,
                "sequential" => false,
                _ => {
                    return Err(ConfigError::Env {
                        var: ENV_HOOKS,
                        value,
                        problem: EnvProblem::Hooks,
                    });
                }
            };
        }
        let print_plan = match env(ENV_PLAN).as_deref() {
            None | Some("" | "0") => false,
            Some("1") => true,
            Some(other) => {
                return Err(ConfigError::Env {
                    var: ENV_PLAN,
                    value: other.to_owned(),
                    problem: EnvProblem::Flag,
                });
            }
        };
        if let Some(addr) = probe.filter(|a| a.port() == 0) {
            return Err(ConfigError::Probe {
                addr,
                error: io::Error::new(io::ErrorKind::InvalidInput, PORT_ZERO),
            });
        }
        Ok(Config {
            signals: self.signals.clone(),
            timeout,
            body_timeout,
            drain,
            exit_code: self.exit_code,
            report,
            probe,
            second_signal,
            concurrent_hooks,
            print_plan,
        })
    }
}

pub(crate) const ENV_TIMEOUT: &str = "GRACEFUL_TIMEOUT";
pub(crate) const ENV_PROBE: &str = "GRACEFUL_PROBE";
pub(crate) const ENV_SECOND_SIGNAL: &str = "GRACEFUL_SECOND_SIGNAL";
pub(crate) const ENV_REPORT: &str = "GRACEFUL_REPORT";
pub(crate) const ENV_DRAIN: &str = "GRACEFUL_DRAIN";
pub(crate) const ENV_HOOKS: &str = "GRACEFUL_HOOKS";
pub(crate) const ENV_PLAN: &str = "GRACEFUL_PLAN";

/// The configuration in force, set once at start-up.
static IN_FORCE: std::sync::OnceLock<Config> = std::sync::OnceLock::new();

/// Put `config` in force (the first call wins; graceful is installed once).
pub(crate) fn set_in_force(config: Config) {
    let _ = IN_FORCE.set(config);
}

/// The configuration in force, once graceful is installed.
pub(crate) fn in_force() -> Option<&'static Config> {
    IN_FORCE.get()
}

/// The settings in force, after the environment was applied.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) signals: Vec<Signal>,
    pub(crate) timeout: Duration,
    pub(crate) body_timeout: Duration,
    pub(crate) drain: Duration,
    pub(crate) exit_code: ExitPolicy,
    pub(crate) report: Report,
    pub(crate) probe: Option<SocketAddr>,
    pub(crate) second_signal: SecondSignal,
    /// Hooks that nothing orders run at the same time.
    pub(crate) concurrent_hooks: bool,
    /// `GRACEFUL_PLAN=1`: the stop's plan goes to stderr at start-up.
    pub(crate) print_plan: bool,
}

/// Graceful could not start. The attribute and [`install`](crate::install) print it and exit
/// with 78 (`EX_CONFIG`) before the body of `main` runs;
/// [`Builder::try_install`](crate::Builder::try_install) returns it.
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
    /// A stop signal has an action too ([`on_signal`](crate::on_signal)): a signal means one
    /// thing, stop or act.
    ActionOnStopSignal {
        /// The signal, in `signals` and taken by the action.
        signal: Signal,
        /// The action's name.
        action: String,
    },
    /// The static hooks' `after`/`before` admit no order: a cycle, or an edge against the
    /// stages.
    HookGraph(crate::hooks::GraphError),
    /// The probe listener could not listen on its address (in use, not this host's).
    Probe {
        /// The address in force (`GRACEFUL_PROBE`, the builder or the attribute).
        addr: SocketAddr,
        /// Why not.
        error: io::Error,
    },
}

/// What is wrong with an environment value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvProblem {
    /// Not a duration.
    Duration(DurationError),
    /// Not `text`, `json`, `off` or `always`.
    Report,
    /// Not a socket address (`127.0.0.1:9000`, `[::]:9000`) or `off`.
    Address,
    /// A socket address with port 0, which would listen where nobody knows to ask.
    PortZero,
    /// Not `force` or `ignore`.
    SecondSignal,
    /// Not `sequential` or `concurrent`.
    Hooks,
    /// Not `1` or `0`.
    Flag,
}

/// Why port 0 is refused for the probe listener.
const PORT_ZERO: &str = "port 0 would pick a port nobody knows to probe: give one";

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
                    EnvProblem::Report => f.write_str("use text, json, off or always"),
                    EnvProblem::Address => {
                        f.write_str("use an address and port, like 127.0.0.1:9000, or off")
                    }
                    EnvProblem::PortZero => f.write_str(PORT_ZERO),
                    EnvProblem::SecondSignal => f.write_str("use force or ignore"),
                    EnvProblem::Hooks => f.write_str("use sequential or concurrent"),
                    EnvProblem::Flag => f.write_str("use 1 or 0"),
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
            ConfigError::ActionOnStopSignal { signal, action } => write!(
                f,
                "{signal} is a stop signal (in signals) and the signal of the action {action:?}: \
                 a signal means one thing; take {signal} out of signals, or give the action \
                 another signal"
            ),
            ConfigError::HookGraph(problem) => write!(f, "{problem}"),
            ConfigError::Probe { addr, error } => write!(
                f,
                "the probe listener cannot listen on {addr} ({ENV_PROBE} or the attribute's \
                 probe): {error}"
            ),
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
            ConfigError::Os(e) | ConfigError::Probe { error: e, .. } => Some(e),
            ConfigError::HookGraph(problem) => Some(problem),
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
        let b = Settings {
            timeout: Duration::from_secs(30),
            ..Settings::default()
        };
        let c = b.resolve(env(&[("GRACEFUL_TIMEOUT", "4s")])).unwrap();
        assert_eq!(c.timeout, Duration::from_secs(4));
        assert_eq!(c.body_timeout, Duration::from_secs(2));
    }

    #[test]
    fn body_timeout_never_exceeds_timeout() {
        let b = Settings {
            body_timeout: Some(Duration::from_secs(20)),
            ..Settings::default()
        };
        let c = b.resolve(env(&[])).unwrap();
        assert_eq!(c.body_timeout, Duration::from_secs(10));
    }

    #[test]
    fn bad_values_name_the_variable_and_value() {
        let e = Settings::default()
            .resolve(env(&[("GRACEFUL_TIMEOUT", "5 parsecs")]))
            .unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("GRACEFUL_TIMEOUT=\"5 parsecs\""), "{msg}");
        let e = Settings::default()
            .resolve(env(&[("GRACEFUL_REPORT", "yaml")]))
            .unwrap_err();
        assert!(e.to_string().contains("GRACEFUL_REPORT=\"yaml\""));
    }

    #[test]
    fn drain_counts_toward_the_timeout() {
        let b = Settings {
            drain: Some(Duration::from_secs(4)),
            ..Settings::default()
        };
        let c = b.resolve(env(&[])).unwrap();
        assert_eq!(c.drain, Duration::from_secs(4));
        assert_eq!(c.body_timeout, Duration::from_secs(3)); // half of the 6 s left
        let e = b.resolve(env(&[("GRACEFUL_TIMEOUT", "3s")])).unwrap_err();
        assert!(
            e.to_string()
                .contains("drain (4s) must be shorter than the timeout (3s)"),
            "{e}"
        );
        let c = Settings::default()
            .resolve(env(&[("GRACEFUL_DRAIN", "2s")]))
            .unwrap();
        assert_eq!(c.drain, Duration::from_secs(2));
    }

    #[test]
    fn a_zero_drain_is_no_drain_but_a_zero_timeout_is_refused() {
        let b = Settings {
            drain: Some(Duration::from_secs(4)),
            ..Settings::default()
        };
        for zero in [&[("GRACEFUL_DRAIN", "0s")], &[("GRACEFUL_DRAIN", "0ms")]] {
            let c = b.resolve(env(zero)).unwrap();
            assert_eq!(c.drain, Duration::ZERO);
            assert_eq!(c.body_timeout, Duration::from_secs(5));
        }
        let e = b.resolve(env(&[("GRACEFUL_TIMEOUT", "0s")])).unwrap_err();
        assert!(e.to_string().contains("GRACEFUL_TIMEOUT=\"0s\""), "{e}");
    }

    #[test]
    fn the_probe_address_comes_from_the_environment_or_is_refused_by_name() {
        let c = Settings::default()
            .resolve(env(&[("GRACEFUL_PROBE", "127.0.0.1:9000")]))
            .unwrap();
        assert_eq!(c.probe, Some("127.0.0.1:9000".parse().unwrap()));
        let on = Settings {
            probe: Some("[::1]:1".parse().unwrap()),
            ..Settings::default()
        };
        assert_eq!(
            on.resolve(env(&[("GRACEFUL_PROBE", "off")])).unwrap().probe,
            None
        );
        let e = Settings::default()
            .resolve(env(&[("GRACEFUL_PROBE", "127.0.0.1:0")]))
            .unwrap_err();
        assert!(e.to_string().contains("port 0 would pick"), "{e}");
        let zero = Settings {
            probe: Some("127.0.0.1:0".parse().unwrap()),
            ..Settings::default()
        };
        assert!(matches!(
            zero.resolve(env(&[])),
            Err(ConfigError::Probe { .. })
        ));
        let e = Settings::default()
            .resolve(env(&[("GRACEFUL_PROBE", "localhost")]))
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("GRACEFUL_PROBE=\"localhost\" is not valid: use an address"),
            "{e}"
        );
    }

    #[test]
    fn the_second_signal_setting_comes_from_the_environment_or_is_refused_by_name() {
        let c = Settings::default()
            .resolve(env(&[("GRACEFUL_SECOND_SIGNAL", "ignore")]))
            .unwrap();
        assert_eq!(c.second_signal, SecondSignal::Ignore);
        assert_eq!(
            Settings::default().resolve(env(&[])).unwrap().second_signal,
            SecondSignal::Force
        );
        let e = Settings::default()
            .resolve(env(&[("GRACEFUL_SECOND_SIGNAL", "twice")]))
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("GRACEFUL_SECOND_SIGNAL=\"twice\" is not valid: use force or ignore"),
            "{e}"
        );
    }

    #[test]
    fn report_mode_from_environment() {
        let c = Settings::default()
            .resolve(env(&[("GRACEFUL_REPORT", "json")]))
            .unwrap();
        assert_eq!(c.report, Report::Json);
    }
}
