//! Testing a program's shutdown: `#[graceful::test]` runs the test's body in a child process
//! (the test binary run again for exactly that test), under graceful with every hook the binary
//! links, sends it real signals as the attribute says, and checks the child's [`Report`] in the
//! parent.
//!
//! ```ignore
//! #[graceful::test(signal = SIGTERM, check = flushed_then_released)]
//! fn a_sigterm_flushes_then_releases() -> Result<(), graceful::Shutdown> {
//!     let _journal = Journal::open();  // its Drop flushes
//!     graceful::test::ready();          // the SIGTERM is sent now
//!     loop {
//!         graceful::sleep(std::time::Duration::from_secs(1))?;
//!     }
//! }
//!
//! fn flushed_then_released(report: graceful::test::Report) {
//!     assert_eq!(report.exit_code(), Some(0), "{report}");
//!     assert_eq!(report.hook_names(), ["release_lock"]);
//! }
//! ```
//!
//! - **The child** is the test binary, run with the test's exact name, `--exact`,
//!   `--nocapture` and an environment variable that marks it. It is a process of its own, so
//!   graceful's process-wide, once-only state is the child's alone: tests run in parallel,
//!   under `cargo test` and `cargo nextest` alike, and no signal ever reaches the test runner
//!   (the parent signals the child's pid, nothing else). The `GRACEFUL_*` variables of the
//!   parent's environment are not passed on: the child's settings are the attribute's.
//! - **When**: the first signal goes when the body calls [`ready`] (the default), or
//!   `after = "200ms"` from the start of the child's body (graceful is installed by then, so
//!   the signal never meets the default action); a second one (`second = SIGINT`) 300 ms after
//!   the first, or `second_after = "1s"`, or `second_after = ready` (a `ready()` made once
//!   the child is stopping, say from a hook); never within 150 ms of the first. Without
//!   `signal` the body ends on its own. A child that ends before a signal it was planned to get
//!   fails the test: it tested no stop.
//! - **The markers and the report** the child writes on stderr end with a token of this run,
//!   so no line of the program's (or of a process it starts) is taken for one. The child runs
//!   in a process group of its own and, on Linux, dies with its parent.
//! - **The parent** waits up to `kill_after` (30 s by default) from the child's start; past
//!   it the child and its process group are killed and the test fails, saying what the child
//!   was waiting for and showing its output. Output still open once the child has ended (a
//!   process it started holds its stdout) is read for one more second, no longer. The child's
//!   output is printed as the test's own, so the harness shows it as it shows any test's. Then it reads the child's JSON report, and runs `check` on it, or,
//!   without `check`, [`Report::assert_clean`]: exit 0 and every hook `Ok`.
//!
//! On Windows, where one process cannot send another a signal, only tests without `signal` can
//! run; one with a signal fails, saying so.
//!
//! Layer 0: it runs the entry points (1) in the child, and reads the report (5) in the parent.

mod parent;
mod plan;
mod report;

use std::io::Write as _;

#[doc(hidden)]
pub use plan::Plan;
pub use report::{HookRun, Outcome, Report};

use crate::{Builder, exit_code, main_end::MainEnd};

/// Marks the child: the test's name, the parent's pid and a token of this run, one per line.
/// A process that finds it but is not the parent's own child (a grandchild that inherited it)
/// is no child.
const CHILD_ENV: &str = "GRACEFUL_TEST_CHILD";

/// What the child writes on stderr for its parent, on lines of their own, each ending with the
/// run's token: no other line can be taken for one. `ready` says whether stopping had begun.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Marker {
    /// Its body starts, graceful installed: delays count from it.
    Started,
    /// It called [`ready`], before the stop began, or after.
    Ready { stopping: bool },
    /// Its JSON report is the next line.
    Report,
}

impl Marker {
    fn word(self) -> &'static str {
        match self {
            Marker::Started => "started",
            Marker::Ready { stopping: false } => "ready",
            Marker::Ready { stopping: true } => "ready-stopping",
            Marker::Report => "report",
        }
    }

    fn line(self, token: &str) -> String {
        format!("graceful::test::{} {token}", self.word())
    }

    /// The marker `line` (without its newline) ends with, and what comes before it.
    fn find(line: &str, token: &str) -> Option<(Marker, usize)> {
        [
            Marker::Started,
            Marker::Ready { stopping: false },
            Marker::Ready { stopping: true },
            Marker::Report,
        ]
        .into_iter()
        .find_map(|m| {
            let text = m.line(token);
            line.ends_with(&text).then(|| (m, line.len() - text.len()))
        })
    }
}

/// This process is the child of a `#[graceful::test]`: its test's name and the run's token.
struct ChildOf {
    name: String,
    parent: u32,
    token: String,
}

fn child_of() -> Option<ChildOf> {
    let value = std::env::var(CHILD_ENV).ok()?;
    let mut parts = value.splitn(3, '\n');
    let (name, parent, token) = (parts.next()?, parts.next()?, parts.next()?);
    let parent: u32 = parent.parse().ok()?;
    #[cfg(unix)]
    if std::os::unix::process::parent_id() != parent {
        return None;
    }
    Some(ChildOf {
        name: name.to_owned(),
        parent,
        token: token.to_owned(),
    })
}

/// A marker, under std's lock, so it never lands inside one of the body's lines; the parent
/// finds it at the end of a line, even one the body left unfinished.
fn mark(marker: Marker, token: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", marker.line(token));
}

/// Tell the parent of a `#[graceful::test]` that the child is ready for its signal (the
/// default `after = ready`), or, called again after the first signal, for the second
/// (`second_after = ready`). Outside such a child it does nothing.
///
/// ```
/// # use graceful_runtime as graceful;
/// // Set up what the shutdown should clean up, then:
/// graceful::test::ready();
/// ```
pub fn ready() {
    if let Some(child) = child_of() {
        let stopping = crate::is_shutting_down();
        mark(Marker::Ready { stopping }, &child.token);
    }
}

/// Run a `#[graceful::test]`: in the child, `body` under graceful, then exit with its code; in
/// the parent, the child, then the plan's check on its report. Not public API: the attribute
/// writes the call.
///
/// # Panics
/// In the parent, when the child gives no report (it hung past `kill_after`, or was killed)
/// and when the check fails.
#[doc(hidden)]
pub fn run(plan: Plan, builder: Builder, body: impl FnOnce() -> MainEnd) {
    let name = plan.test_name();
    match child_of() {
        Some(child) if child.name == name => {
            if !crate::sys::die_with_parent(child.parent) {
                std::process::exit(1);
            }
            crate::report::report_every_run(Marker::Report.line(&child.token));
            let body = || {
                mark(Marker::Started, &child.token);
                body()
            };
            let code = crate::entry::run(builder.report(crate::Report::Json), body);
            std::process::exit(exit_code::number(code).unwrap_or(1))
        }
        Some(other) => panic!(
            "graceful::test: this process is the child of {:?}, not {name:?}",
            other.name
        ),
        None => match parent::run(&plan, &name) {
            Ok(report) => (plan.check)(report),
            Err(error) => panic!("{error}"),
        },
    }
}
