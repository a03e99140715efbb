//! [`Report`]: what the parent of a `#[graceful::test]` learns of its child, read from the
//! child's JSON report (the schema of `docs/REPORT.md`, parsed by the report module that writes
//! it) and from the child's exit status and output.

use std::{fmt, time::Duration};

use crate::{
    Signal,
    report::parse::{ParsedExit, ParsedReport},
};

/// How the child of a `#[graceful::test]` ended: its exit, why it stopped, its hooks in the
/// order they ran, and what it wrote.
///
/// ```
/// # use graceful_runtime as graceful;
/// fn flushed_then_released(report: graceful::test::Report) {
///     assert_eq!(report.exit_code(), Some(0), "{report}");
///     assert_eq!(report.reason(), Some("SIGTERM"));
///     assert_eq!(report.hook_names(), ["flush journal", "release lock"]);
/// }
/// # let _ = flushed_then_released;
/// ```
#[derive(Clone, Debug)]
pub struct Report {
    pub(crate) code: Option<i32>,
    pub(crate) signal: Option<i32>,
    pub(crate) reason: Option<String>,
    pub(crate) events: Vec<String>,
    pub(crate) hooks: Vec<HookRun>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// One hook as it ran in the child.
///
/// ```
/// # use graceful_runtime as graceful;
/// use graceful::test::{Outcome, Report};
/// fn every_hook_was_quick(report: Report) {
///     for hook in report.hooks() {
///         assert_eq!(hook.outcome(), Outcome::Ok, "{}: {:?}", hook.name(), hook.error());
///         assert!(hook.took().as_secs() < 1);
///     }
/// }
/// # let _ = every_hook_was_quick;
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct HookRun {
    name: String,
    order: i32,
    at: String,
    outcome: Outcome,
    error: Option<String>,
    took: Duration,
    started: Duration,
}

/// How a hook ended.
///
/// ```
/// # use graceful_runtime as graceful;
/// assert_eq!(graceful::test::Outcome::Ok.to_string(), "ok");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// It returned `()` or `Ok`.
    Ok,
    /// It returned `Err`.
    Failed,
    /// It panicked.
    Panicked,
    /// It called `graceful::exit`.
    Exit,
    /// It ran past its `timeout`.
    TimedOut,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
            Outcome::Panicked => "panicked",
            Outcome::Exit => "exit",
            Outcome::TimedOut => "timed_out",
        })
    }
}

impl Outcome {
    fn from_word(word: Option<&str>) -> Outcome {
        match word {
            Some("ok") => Outcome::Ok,
            Some("failed") => Outcome::Failed,
            Some("panicked") => Outcome::Panicked,
            Some("exit") => Outcome::Exit,
            _ => Outcome::TimedOut,
        }
    }
}

impl HookRun {
    /// Its name, as the report gives it (the function's, or `name = ".."`).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Its `order`.
    pub fn order(&self) -> i32 {
        self.order
    }
    /// Where it was declared or registered, `file:line`.
    pub fn at(&self) -> &str {
        &self.at
    }
    /// How it ended.
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }
    /// Its error or panic message, when it failed.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
    /// How long it ran.
    pub fn took(&self) -> Duration {
        self.took
    }
    /// When it began, from the start of the stop: with `concurrent_hooks`, hooks that
    /// overlap began before each other ended.
    pub fn started(&self) -> Duration {
        self.started
    }
}

impl Report {
    pub(crate) fn new(
        parsed: ParsedReport,
        code: Option<i32>,
        signal: Option<i32>,
        stdout: String,
        stderr: String,
    ) -> Report {
        let hooks = parsed
            .events
            .iter()
            .filter(|(_, f)| f.event == "hook")
            .map(|(_, f)| HookRun {
                name: f.name.clone().unwrap_or_default(),
                order: f.order.and_then(|o| i32::try_from(o).ok()).unwrap_or(0),
                at: f.at.clone().unwrap_or_default(),
                outcome: Outcome::from_word(f.outcome.as_deref()),
                error: f.error.clone(),
                took: Duration::from_secs_f64(f.took_ms.unwrap_or(0.0).max(0.0) / 1e3),
                started: Duration::from_secs_f64(f.started_ms.unwrap_or(0.0).max(0.0) / 1e3),
            })
            .collect();
        // The OS's word on the exit is the truth; the report's agrees but for a child that
        // died of its signal, which the OS says too.
        let signal = signal.or(match parsed.exit {
            ParsedExit::Signal(name) => Signal::ALL
                .into_iter()
                .find(|s| s.name() == name)
                .map(Signal::as_raw),
            _ => None,
        });
        Report {
            code,
            signal,
            reason: parsed.reason,
            events: parsed.events.into_iter().map(|(_, f)| f.event).collect(),
            hooks,
            stdout,
            stderr,
        }
    }

    /// The child's exit code; `None` when it died of a signal.
    pub fn exit_code(&self) -> Option<i32> {
        self.code
    }

    /// The signal the child died of (a forced exit, or `exit_code = "signal"`), by number.
    pub fn died_of(&self) -> Option<i32> {
        self.signal
    }

    /// Why the child stopped, as the report says it: `"SIGTERM"`, `"main returned"`,
    /// `"main panicked"`, `"exit(3)"`, `"trigger()"`.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// The report's events by name, in order: `"stopping"`, `"main_ended"`, `"hook"`, ...
    pub fn events(&self) -> impl Iterator<Item = &str> {
        self.events.iter().map(String::as_str)
    }

    /// Every hook that ran, in the order it ran.
    pub fn hooks(&self) -> &[HookRun] {
        &self.hooks
    }

    /// The hooks' names, in the order they ran.
    pub fn hook_names(&self) -> Vec<&str> {
        self.hooks.iter().map(HookRun::name).collect()
    }

    /// The hook of this name, if it ran.
    pub fn hook(&self, name: &str) -> Option<&HookRun> {
        self.hooks.iter().find(|h| h.name == name)
    }

    /// What the child wrote on stdout (the test harness's own first line left out).
    pub fn stdout(&self) -> &str {
        &self.stdout
    }

    /// What the child wrote on stderr, graceful's JSON report and `ready()` markers left out.
    pub fn stderr(&self) -> &str {
        &self.stderr
    }

    /// Panics, showing the whole report, unless the child exited 0 with every hook fine: the
    /// check a `#[graceful::test]` without `check = ..` makes.
    ///
    /// # Panics
    /// When the exit code is not 0 or a hook did not end `Ok`.
    pub fn assert_clean(&self) {
        let hooks_ok = self.hooks.iter().all(|h| h.outcome == Outcome::Ok);
        assert!(
            self.code == Some(0) && hooks_ok,
            "the child did not end cleanly (exit 0, every hook ok):\n{self}"
        );
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.code, self.signal) {
            (Some(code), _) => write!(f, "exit {code}")?,
            (None, Some(signal)) => write!(f, "died of signal {signal}")?,
            (None, None) => f.write_str("exit unknown")?,
        }
        writeln!(f, ", reason: {}", self.reason.as_deref().unwrap_or("none"))?;
        for h in &self.hooks {
            write!(
                f,
                "  hook {:?} (order {}, {}) {} in {:?}",
                h.name, h.order, h.at, h.outcome, h.took
            )?;
            match &h.error {
                Some(e) => writeln!(f, ": {e}")?,
                None => writeln!(f)?,
            }
        }
        writeln!(
            f,
            "--- stdout\n{}--- stderr\n{}---",
            self.stdout, self.stderr
        )
    }
}
