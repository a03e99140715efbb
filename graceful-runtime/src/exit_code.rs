//! The exit-code table: written once, here, as data. [`TABLE`] is both the rule (`decide` takes
//! the first row that applies) and the text: every copy of the table in the docs (the README,
//! both crates' docs) is checked against [`markdown`] by a test.
//!
//! Layer 6: it imports `main_end`, `config` and the leaves.

use std::{fmt, process::ExitCode};

use crate::{ExitPolicy, Reason, Signal, main_end::MainEnd, shutdown::Failure};

/// How the process ends.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Decision {
    /// Exit with this code, which the OS carries as it is.
    Code(i32),
    /// `exit(code)` with a code the OS cannot carry (outside 0..=255 on unix): exit 255.
    OutOfRange(i32),
    /// Main's own failing `ExitCode` (std does not let us read its number).
    Main(ExitCode),
    Die(Signal),
    /// Only for the install guard, which cannot see main's return value: let `main` decide.
    MainDecides,
}

/// What the OS carries of `exit(code)`: the code itself, or `OutOfRange`.
pub(crate) fn exit_with(code: i32) -> Decision {
    if cfg!(unix) && !(0..=255).contains(&code) {
        Decision::OutOfRange(code)
    } else {
        Decision::Code(code)
    }
}

impl Decision {
    /// The code the process exits with, as the OS reports it (for `Die`, where the signal cannot
    /// kill, as PID 1 in a namespace; `MainDecides`: 0, what main's `Ok` gives).
    pub(crate) fn code(&self) -> i32 {
        match self {
            Decision::Code(c) => *c,
            Decision::OutOfRange(_) => 255,
            Decision::Main(code) => number(*code).unwrap_or(1),
            #[cfg(unix)]
            Decision::Die(s) => 128 + s.as_raw(),
            #[cfg(windows)]
            Decision::Die(_) => 0xC000_013A_u32 as i32,
            Decision::MainDecides => 0,
        }
    }

    pub(crate) fn json(&self) -> String {
        match self {
            Decision::Die(s) => format!("{{\"signal\":\"{s}\"}}"),
            Decision::Main(code) if number(*code).is_none() => "{\"main\":true}".into(),
            Decision::MainDecides => "{\"main\":true}".into(),
            other => format!("{{\"code\":{}}}", other.code()),
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::Code(c) => write!(f, "exit {c}"),
            Decision::OutOfRange(c) => {
                write!(f, "exit 255 (exit({c}) asked for a code outside 0..=255)")
            }
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

/// Everything the table looks at.
#[derive(Clone, Debug)]
pub(crate) struct Facts {
    pub(crate) config_error: bool,
    pub(crate) forced: Option<Signal>,
    pub(crate) deadline: bool,
    pub(crate) main: MainEnd,
    pub(crate) exit_request: Option<i32>,
    pub(crate) exit_parked: bool,
    pub(crate) hook_failed: bool,
    pub(crate) work_failed: Option<Failure>,
    pub(crate) reason: Option<Reason>,
    pub(crate) policy: ExitPolicy,
}

impl Facts {
    /// Nothing happened yet: main's own end decides.
    pub(crate) fn new(main: MainEnd) -> Facts {
        Facts {
            config_error: false,
            forced: None,
            deadline: false,
            main,
            exit_request: None,
            exit_parked: false,
            hook_failed: false,
            work_failed: None,
            reason: None,
            policy: ExitPolicy::default(),
        }
    }
}

/// One row: what happened, the exit, and the rule that says whether it applies. The text is
/// read by the test that checks the docs' copies.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) struct Row {
    pub(crate) what: &'static str,
    pub(crate) exit: &'static str,
    applies: fn(&Facts) -> Option<Decision>,
}

/// The table; the first row that applies wins.
pub(crate) const TABLE: [Row; 8] = [
    Row {
        what: "a second signal forced the exit",
        exit: "dies of that signal (default action restored, signal re-raised), so shells, \
               systemd and Docker see 128+signo; where that cannot kill (PID 1) exits \
               128+signo; on Windows exits 0xC000013A",
        applies: |f| f.forced.map(Decision::Die),
    },
    Row {
        what: "the deadline passed, or the body was abandoned at `body_timeout` (still running, \
               or work it holds still in flight)",
        exit: "124, as GNU `timeout`; the report says which; under `panic = \"abort\"`, an \
               `exit(code)` whose thread had to park is not overruled by the abandonment",
        applies: |f| {
            let abandoned = matches!(f.main, MainEnd::Abandoned) && !f.exit_parked;
            (f.deadline || abandoned).then_some(Decision::Code(124))
        },
    },
    Row {
        what: "main panicked, or work started with `thread::spawn` or `spawn` did (hooks still \
               ran)",
        exit: "101, as an unhandled Rust panic",
        applies: |f| {
            (matches!(f.main, MainEnd::Panicked) || f.work_failed == Some(Failure::Panic))
                .then_some(Decision::Code(101))
        },
    },
    Row {
        what: "main failed: an `Err` that is not a shutdown, a failing `ExitCode`; else \
               `exit(code)` with code ≠ 0, from main, a hook or work",
        exit: "1 for `Err` (printed as std prints it), else that code; a code outside 0..=255 \
               exits 255",
        applies: |f| match (&f.main, f.exit_request) {
            (MainEnd::Failed(_), _) => Some(Decision::Code(1)),
            (MainEnd::Code(code), _) => Some(Decision::Main(*code)),
            (_, Some(code)) if code != 0 => Some(exit_with(code)),
            _ => None,
        },
    },
    Row {
        what: "a hook failed (`Err`, panic, past its timeout), or such work returned `Err`",
        exit: "1",
        applies: |f| (f.hook_failed || f.work_failed.is_some()).then_some(Decision::Code(1)),
    },
    Row {
        what: "a clean stop after a signal",
        exit: "0; with `exit_code = N`, N; with `exit_code = \"signal\"` dies of the signal as \
               in the first row",
        applies: |f| match (f.reason, f.policy) {
            (Some(Reason::Signal(_)), ExitPolicy::Code(c)) => Some(Decision::Code(c)),
            (Some(Reason::Signal(s)), ExitPolicy::Signal) => Some(Decision::Die(s)),
            _ => None,
        },
    },
    Row {
        what: "otherwise",
        exit: "main's own: 0, its `ExitCode`, `exit(0)`",
        applies: |f| match f.main {
            MainEnd::Unknown => Some(Decision::MainDecides),
            _ => Some(Decision::Code(0)),
        },
    },
    Row {
        what: "a configuration error at start-up (a bad environment value, the OS refusing a \
               handler or a thread)",
        exit: "78 (`EX_CONFIG`); the body never runs",
        applies: |f| f.config_error.then_some(Decision::Code(78)),
    },
];

/// The first row that applies. A configuration error excludes everything else: it is checked
/// first, though it is listed last (where a reader looks for it).
pub(crate) fn decide(f: &Facts) -> Decision {
    if let Some(d) = (TABLE[TABLE.len() - 1].applies)(f) {
        return d;
    }
    TABLE
        .iter()
        .find_map(|row| (row.applies)(f))
        .unwrap_or(Decision::Code(0))
}

/// The exit code of a configuration error at start-up.
pub(crate) fn config_error() -> i32 {
    decide(&Facts {
        config_error: true,
        ..Facts::new(MainEnd::Unknown)
    })
    .code()
}

/// The table as Markdown, as every copy in the docs must read.
#[cfg(test)]
pub(crate) fn markdown() -> String {
    let mut out = String::from("| what happened | exit |\n| --- | --- |\n");
    for row in &TABLE {
        out.push_str(&format!("| {} | {} |\n", row.what, row.exit));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            reason: Some(Reason::Signal(Signal::SIGTERM)),
            ..Facts::new(MainEnd::Shutdown)
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
        f.main = MainEnd::Failed("boom".into());
        assert_eq!(decide(&f), Decision::Code(1));
        f.main = MainEnd::Panicked;
        assert_eq!(decide(&f), Decision::Code(101));
        f.deadline = true;
        assert_eq!(decide(&f), Decision::Code(124));
        f.forced = Some(Signal::SIGINT);
        assert_eq!(decide(&f), Decision::Die(Signal::SIGINT));
        f.config_error = true;
        assert_eq!(decide(&f), Decision::Code(78));
        assert_eq!(config_error(), 78);
    }

    #[test]
    fn failed_work_is_101_for_a_panic_and_1_for_an_err_under_main_s_own_failures() {
        let mut f = facts();
        f.work_failed = Some(Failure::Err);
        assert_eq!(decide(&f), Decision::Code(1));
        f.work_failed = Some(Failure::Panic);
        assert_eq!(decide(&f), Decision::Code(101));
        f.main = MainEnd::Abandoned;
        assert_eq!(decide(&f), Decision::Code(124));
        let mut f = facts();
        f.work_failed = Some(Failure::Err);
        f.exit_request = Some(3);
        assert_eq!(decide(&f), Decision::Code(3));
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

    #[cfg(unix)]
    #[test]
    fn codes_the_os_cannot_carry_exit_255_and_say_so() {
        for code in [256, -1, 1000] {
            let mut f = facts();
            f.exit_request = Some(code);
            let d = decide(&f);
            assert_eq!(d, Decision::OutOfRange(code));
            assert_eq!(d.code(), 255);
            assert!(d.to_string().starts_with("exit 255"), "{d}");
        }
        assert_eq!(exit_with(255), Decision::Code(255));
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

    /// Every copy of the table in the docs reads as `markdown()` does.
    #[test]
    fn every_copy_in_the_docs_is_this_table() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let table = markdown();
        let mut copies = vec![
            ("README.md".to_owned(), ""),
            ("src/lib.rs".to_owned(), "//! "),
            ("graceful-runtime/src/lib.rs".to_owned(), "//! "),
        ];
        // Any other copy, in docs/, must agree too.
        for entry in std::fs::read_dir(root.join("docs")).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if text.contains("| what happened | exit |") {
                copies.push((
                    format!("docs/{}", path.file_name().unwrap().to_string_lossy()),
                    "",
                ));
            }
        }
        for (file, prefix) in copies {
            let text = std::fs::read_to_string(root.join(&file)).unwrap();
            let lines: Vec<&str> = text
                .lines()
                .map(|l| l.strip_prefix(prefix.trim_end()).unwrap_or(l))
                .map(|l| l.strip_prefix(' ').unwrap_or(l))
                .collect();
            let start = lines
                .iter()
                .position(|l| *l == "| what happened | exit |")
                .unwrap_or_else(|| panic!("{file} has no exit-code table"));
            let copy: String = lines[start..]
                .iter()
                .take_while(|l| l.starts_with('|'))
                .map(|l| format!("{l}\n"))
                .collect();
            assert_eq!(
                copy, table,
                "{file}'s exit-code table differs from the code's"
            );
        }
    }
}
