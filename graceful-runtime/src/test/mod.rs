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
//!   the first, or `second_after = "1s"`, or `second_after = ready` (the next `ready()`, say
//!   from a hook). Without `signal` the body ends on its own.
//! - **The parent** waits up to `kill_after` (30 s by default) from the child's start; past
//!   it the child is killed and the test fails, saying what the child was waiting for and
//!   showing its output. Then it reads the child's JSON report, and runs `check` on it, or,
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

/// Marks the child, with the test's name as its value.
const CHILD_ENV: &str = "GRACEFUL_TEST_CHILD";
/// What [`ready`] writes on stderr for the parent, which takes it out again.
const READY_MARKER: &str = "graceful::test::ready";
/// What the child writes on stderr as its body starts, graceful installed: delays count from
/// it.
const STARTED_MARKER: &str = "graceful::test::started";

/// A line of stderr of its own, under std's lock, so it never lands inside one of the body's.
fn mark(marker: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{marker}");
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
    if std::env::var_os(CHILD_ENV).is_some() {
        mark(READY_MARKER);
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
    match std::env::var(CHILD_ENV) {
        Ok(child) if child == name => {
            crate::report::report_every_run();
            let body = || {
                mark(STARTED_MARKER);
                body()
            };
            let code = crate::entry::run(builder.report(crate::Report::Json), body);
            std::process::exit(exit_code::number(code).unwrap_or(1))
        }
        Ok(other) => panic!("graceful::test: this process is the child of {other:?}, not {name:?}"),
        Err(_) => match parent::run(&plan, &name) {
            Ok(report) => (plan.check)(report),
            Err(error) => panic!("{error}"),
        },
    }
}
