//! The exit-code table of the design, as one pure function.
//!
//! The first row that applies wins:
//!
//! | what happened | exit |
//! | --- | --- |
//! | a second signal forced the exit | dies of that signal (decided by the watcher, not here) |
//! | the deadline passed, or the body was abandoned at `body_timeout` | 124 |
//! | main panicked (hooks still ran) | 101 |
//! | main failed: an `Err` that is not a shutdown, a non-zero `ExitCode`, `exit(code)` with code ≠ 0 | 1 for `Err`, else that code |
//! | a hook failed (`Err`, panic, past its timeout) | 1 |
//! | a clean stop after a signal | 0, the configured code, or death by the signal |
//! | otherwise | main's own: 0, its `ExitCode`, `exit(0)` |

use std::{fmt, process::ExitCode};

use crate::{ExitPolicy, Reason, Signal, outcome::Outcome};

/// How the process ends.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Decision {
    Code(i32),
    /// Main's own failing `ExitCode` (std does not let us read its number).
    Main(ExitCode),
    Die(Signal),
    /// Only for the install guard, which cannot see main's return value: let `main` decide.
    MainDecides,
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::Code(c) => write!(f, "exit {c}"),
            Decision::Main(code) => match number(*code) {
                Some(n) => write!(f, "exit {n} (main's ExitCode)"),
                None => f.write_str("exit with main's ExitCode"),
            },
            #[cfg(not(windows))]
            Decision::Die(s) => write!(f, "exit by {s} (128+{})", s.as_raw()),
            #[cfg(windows)]
            Decision::Die(s) => write!(f, "exit by {s} (0xC000013A, STATUS_CONTROL_C_EXIT)"),
            Decision::MainDecides => {
                f.write_str("hooks done; main's return value decides the exit")
            }
        }
    }
}

impl Decision {
    pub(crate) fn json(&self) -> String {
        match self {
            Decision::Code(c) => format!("{{\"code\":{c}}}"),
            Decision::Die(s) => format!("{{\"signal\":\"{s}\"}}"),
            Decision::Main(code) => match number(*code) {
                Some(n) => format!("{{\"code\":{n}}}"),
                None => "{\"main\":true}".into(),
            },
            Decision::MainDecides => "{\"main\":true}".into(),
        }
    }
}

/// The number inside an `ExitCode`. std has no stable getter (`ExitCode::exit_process` and
/// `to_i32` are unstable), but its `Debug` form ends with the number on every platform std
/// supports, e.g. `ExitCode(unix_exit_status(3))`.
pub(crate) fn number(code: ExitCode) -> Option<i32> {
    let debug = format!("{code:?}");
    let digits: String = debug
        .trim_end_matches(')')
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.chars().rev().collect::<String>().parse().ok()
}

/// How the body of main ended, as far as the runtime knows.
#[derive(Clone, Debug)]
pub(crate) enum MainEnd {
    /// Not known: the install guard cannot see main's return value.
    Unknown,
    Returned(Outcome),
    Exited(i32),
    Panicked,
    /// Still running when the hooks went on without it.
    Abandoned,
}

/// Everything the table looks at.
#[derive(Clone, Debug)]
pub(crate) struct Facts {
    pub(crate) reason: Option<Reason>,
    pub(crate) deadline: bool,
    pub(crate) main: MainEnd,
    pub(crate) exit_request: Option<i32>,
    pub(crate) hook_failed: bool,
    pub(crate) policy: ExitPolicy,
}

pub(crate) fn decide(f: &Facts) -> Decision {
    if f.deadline || matches!(f.main, MainEnd::Abandoned) {
        return Decision::Code(124);
    }
    if matches!(f.main, MainEnd::Panicked) {
        return Decision::Code(101);
    }
    match &f.main {
        MainEnd::Returned(Outcome::Failed(_)) => return Decision::Code(1),
        MainEnd::Returned(Outcome::Code(code)) => return Decision::Main(*code),
        _ => {}
    }
    match f.exit_request {
        Some(code) if code != 0 => return Decision::Code(code),
        _ => {}
    }
    if f.hook_failed {
        return Decision::Code(1);
    }
    if let Some(Reason::Signal(s)) = f.reason {
        return match f.policy {
            ExitPolicy::Code(c) => Decision::Code(c),
            ExitPolicy::Signal => Decision::Die(s),
        };
    }
    match f.main {
        MainEnd::Unknown => Decision::MainDecides,
        _ => Decision::Code(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            reason: Some(Reason::Signal(Signal::SIGTERM)),
            deadline: false,
            main: MainEnd::Returned(Outcome::Shutdown),
            exit_request: None,
            hook_failed: false,
            policy: ExitPolicy::Code(0),
        }
    }

    #[test]
    fn each_row_in_precedence() {
        let mut f = facts();
        assert_eq!(decide(&f), Decision::Code(0));
        f.policy = ExitPolicy::Signal;
        assert_eq!(decide(&f), Decision::Die(Signal::SIGTERM));
        f.hook_failed = true;
        assert_eq!(decide(&f), Decision::Code(1));
        f.exit_request = Some(3);
        assert_eq!(decide(&f), Decision::Code(3));
        f.main = MainEnd::Returned(Outcome::Failed("boom".into()));
        assert_eq!(decide(&f), Decision::Code(1));
        f.main = MainEnd::Panicked;
        assert_eq!(decide(&f), Decision::Code(101));
        f.deadline = true;
        assert_eq!(decide(&f), Decision::Code(124));
    }

    #[test]
    fn exit_code_numbers_are_read() {
        assert_eq!(number(ExitCode::from(3)), Some(3));
        assert_eq!(number(ExitCode::from(255)), Some(255));
        assert_eq!(number(ExitCode::SUCCESS), Some(0));
    }

    #[test]
    fn abandoned_body_is_124_and_exit_zero_is_clean() {
        let mut f = facts();
        f.main = MainEnd::Abandoned;
        assert_eq!(decide(&f), Decision::Code(124));
        let mut f = facts();
        f.reason = Some(Reason::Exit(0));
        f.main = MainEnd::Exited(0);
        f.exit_request = Some(0);
        assert_eq!(decide(&f), Decision::Code(0));
    }

    #[test]
    fn the_guard_lets_main_decide_only_when_nothing_else_applies() {
        let mut f = facts();
        f.reason = Some(Reason::MainReturned);
        f.main = MainEnd::Unknown;
        assert_eq!(decide(&f), Decision::MainDecides);
        f.hook_failed = true;
        assert_eq!(decide(&f), Decision::Code(1));
    }
}
