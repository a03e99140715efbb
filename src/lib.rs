//! `graceful` turns SIGTERM and SIGINT into an orderly unwind, the way `try/finally` works in
//! other languages.
//!
//! A container orchestrator stops a process with SIGTERM, waits a grace period, then sends
//! SIGKILL. A Rust binary that only reacts to Ctrl-C, or to nothing, dies mid-write: buffers
//! unflushed, locks held, temporary files left behind. With graceful, the body of `main` is
//! told to stop, unwinds through `?` and `Drop`, and then every cleanup hook runs, in order,
//! exactly once, within a deadline. A second signal forces an immediate exit (double Ctrl-C);
//! the same signal repeated by the same sender within 100 ms is one request delivered twice,
//! as GNU `timeout` does, and does not.
//!
//! ```no_run
//! use std::time::Duration;
//!
//! #[graceful::main]
//! fn main() -> Result<(), graceful::Shutdown> {
//!     for step in 1.. {
//!         println!("step {step}");
//!         graceful::sleep(Duration::from_secs(1))?; // Err(Shutdown) at once on SIGTERM
//!     }
//!     Ok(())
//! }
//!
//! #[graceful::on_shutdown(order = 10)]
//! fn release_locks() {
//!     // runs after main has unwound, in `order`
//! }
//! ```
//!
//! # Map
//! | item | what it is for |
//! | --- | --- |
//! | [`macro@main`], [`macro@on_shutdown`] | the attributes |
//! | [`is_shutting_down`], [`check`], [`sleep`], [`wait`], [`wait_timeout`], [`shutdown()`] | the body learns it should stop |
//! | [`is_ready`] | the readiness probe: false from the first signal (see `drain`) |
//! | [`trigger`], [`exit`] | start stopping from code |
//! | [`fn@on_shutdown`], [`HookHandle`], [`hooks()`], [`Plan`] | closures as hooks; the stop's plan: stages, edges, the run order |
//! | [`install`], [`Builder`] | binaries that cannot take the attribute |
//! | [`Shutdown`], [`Reason`], [`Signal`] | why we stop |
//! | [`macro@test`], [`mod@test`] | testing a program's shutdown: the body in a child, real signals, a typed report |
//!
//! # Hooks
//! Hooks run in stages, in ascending `order`: every hook of a lower `order` ends before one of a
//! higher `order` starts. Within a stage, `after`/`before` (paths checked by the compiler; for
//! closures [`HookHandle::after`], by name) order hooks across crates; where they leave a choice,
//! closures registered with [`fn@on_shutdown`] run first, last-registered first (like nested
//! `finally` blocks), and static hooks follow, sorted by module path and then name, so the order
//! is stable from build to build. With `concurrent_hooks` the hooks that nothing orders run at
//! the same time; `final` hooks run after the report. [`hooks()`] returns the plan; the rules and
//! messages are in `docs/ORDERING.md`. Each hook is isolated: a panic or an `Err` is reported and the next still runs. A hook
//! past its own `timeout` is reported as failed and left running on its thread, and the next
//! runs.
//!
//! Hooks declared in a library crate are gathered by [linkme](https://docs.rs/linkme) into one
//! link-time list: no code runs before `main`, and a platform linkme cannot serve is a compile
//! error rather than a silently empty list. (`inventory` would also reach wasm, which has no
//! signals to handle.) Rust does not link a library crate that the binary never names, so its
//! hooks would be missing: name it, for example with `use that_crate as _;`.
//!
//! # Exit codes
//! The first row that applies wins:
//!
//! | what happened | exit |
//! | --- | --- |
//! | a second signal forced the exit | dies of that signal (default action restored, signal re-raised), so shells, systemd and Docker see 128+signo; where that cannot kill (PID 1) exits 128+signo; on Windows exits 0xC000013A |
//! | the deadline passed, or the body was abandoned at `body_timeout` (still running, or work it holds still in flight) | 124, as GNU `timeout`; the report says which; under `panic = "abort"`, an `exit(code)` whose thread had to park is not overruled by the abandonment |
//! | main panicked, or work started with `thread::spawn` or `spawn` did (hooks still ran) | 101, as an unhandled Rust panic |
//! | main failed: an `Err` that is not a shutdown, a failing `ExitCode`; else `exit(code)` with code ≠ 0, from main, a hook or work | 1 for `Err` (printed as std prints it), else that code; a code outside 0..=255 exits 255 |
//! | a hook failed (`Err`, panic, past its timeout), or such work returned `Err` | 1 |
//! | a clean stop after a signal | 0; with `exit_code = N`, N; with `exit_code = "signal"` dies of the signal as in the first row |
//! | otherwise | main's own: 0, its `ExitCode`, `exit(0)` |
//! | a configuration error at start-up (a bad environment value, the OS refusing a handler or a thread) | 78 (`EX_CONFIG`); the body never runs |
//!
//! An `Err` returned by `main` is a clean stop when it is, or wraps, a [`Shutdown`]: the error
//! itself, an `anyhow::Error` or `Box<dyn Error>` holding one, or any error whose `source()`
//! chain reaches one.
//!
//! # Configuration
//! | setting | default | attribute / builder | environment |
//! | --- | --- | --- | --- |
//! | signals | SIGTERM, SIGINT | `signals = [SIGTERM, SIGINT, SIGHUP, SIGQUIT]` | |
//! | `timeout`, start of Stopping to exit | 10 s | `timeout = "30s"` | `GRACEFUL_TIMEOUT` |
//! | `drain`, time to keep serving, not ready, before stopping | none | `drain = "5s"` | `GRACEFUL_DRAIN` |
//! | `body_timeout`, the time main gets to return | half of what `timeout` leaves after the drain | `body_timeout = "5s"` | |
//! | exit code of a clean signal stop | 0 | `exit_code = 3` or `"signal"` | |
//! | report on stderr | text | `quiet` | `GRACEFUL_REPORT=text\|json\|off` |
//!
//! The environment wins over the attribute or builder, which wins over the default. A bad
//! environment value is reported, naming the variable and the value, and the process exits
//! with 78 before `main`'s body runs. The 10 s default fits inside Docker's default stop
//! timeout (10 s: lower ours if you keep Docker's), Kubernetes' 30 s grace period and systemd's
//! 90 s.
//!
//! # Features
//! All off by default, and free when off (no extra dependency):
//! - `tokio`: async hooks get a current-thread tokio runtime when none is running (a sync
//!   `main`, or `#[tokio::main]` placed above `#[graceful::main]`).
//! - `systemd`: `READY=1` with `systemd::ready()`, `STOPPING=1` and `EXTEND_TIMEOUT_USEC=` while
//!   stopping, on `$NOTIFY_SOCKET`.
//! - `log`, `tracing`: every event of the report also as a record or event, target `graceful`,
//!   with fields (`docs/REPORT.md` has the schema).
//!
//! `docs/OPERATIONS.md` sets the budgets against Kubernetes, Docker and systemd.
//!
//! # Testing a shutdown
//! `#[graceful::test]` runs the test's body in a child process (the test binary again, for
//! that one test) under graceful, with every hook the binary links; sends it the signals it
//! names; and checks the child's [`test::Report`] in the parent. Tests run in parallel with
//! the others, under `cargo test` or `cargo nextest`, and no signal reaches the test runner.
//!
//! ```ignore
//! #[graceful::test(signal = SIGTERM, check = released_in_order)]
//! fn sigterm_releases_the_lock() -> Result<(), graceful::Shutdown> {
//!     graceful::test::ready();                        // the SIGTERM is sent now
//!     loop { graceful::sleep(Duration::from_secs(1))?; }
//! }
//!
//! fn released_in_order(report: graceful::test::Report) {
//!     assert_eq!(report.exit_code(), Some(0), "{report}");
//!     assert_eq!(report.hook_names(), ["release_locks", "say goodbye"]);
//! }
//! ```
//!
//! # Dependencies
//! Chosen, not collected; each over the crate a reader may expect:
//!
//! | crate | for | rather than |
//! | --- | --- | --- |
//! | `signal-hook-registry` (Unix) | the signal handler: graceful's handler sets atomics and wakes the waiting thread directly (a futex or pipe write), beside tokio's and any other signal-hook user's | `signal-hook`'s iterator, whose self-pipe and second thread cost about 30 µs more from the signal to the first hook; `ctrlc`, one handler per process, for SIGINT (SIGTERM behind a feature) |
//! | `libc` (Unix) | `kill`, `_exit`, futexes, the fork handler | `nix`, much larger for the few calls made |
//! | `windows-sys` (Windows) | console control events, Event objects | `winapi`, unmaintained |
//! | `linkme` | the `#[graceful::on_shutdown]` hooks of every crate, in one link-time slice: no code before `main`, and a compile error on a platform it cannot serve | `inventory` and `ctor`, which run code before `main` (life before main: no panics caught, no order) and reach wasm, where there are no signals to handle |
//! | `futures-core` | the `Stream` trait alone, for [`until_shutdown`] | `futures`, of which nothing else is used |
//! | std's `OnceLock` | the configuration in force, set once | `once_cell` or `lazy_static`: in std since 1.80 |
//! | `syn` 3, `quote`, `proc-macro2` (the attributes) | parsing the function and the options: syn without default features, with `full`, `parsing`, `printing`, `proc-macro`, and no `extra-traits` or `visit` | syn 2: tokio-macros, linkme and serde_derive moved to syn 3, so a build compiles syn once, not twice |
//!
//! The JSON report is written and read back (for [`mod@test`]) by a few hundred lines of the
//! runtime's own, not by serde. The features' crates (`tokio`, `log`, `tracing`, `tokio-util`,
//! `miette`) are not built when their feature is off.
//!
//! # Not covered
//! - `SIGKILL`: nothing can catch it. Keep `timeout` below the orchestrator's grace period.
//! - `panic = "abort"`: nothing unwinds. [`exit`] still runs the hooks and exits with its code
//!   (the body's own `Drop`s do not run), but a panic, in `main` or in a hook, ends the
//!   process at once: no hook is isolated from a panic there.
//! - `std::process::exit` ends the process on the spot: use [`exit`].
//! - A library crate the binary never names is not linked, and neither are its hooks.
//! - A `main` body still running at `body_timeout` is abandoned, not stopped: the hooks run on
//!   another thread while it lives on, without main's thread-locals, and may race it.
#![forbid(unsafe_code)]

pub use graceful_macros::{main, on_shutdown, on_signal, test};
pub use graceful_runtime::{
    ActionError, Builder, CancelOnShutdown, ConfigError, DurationError, EnvProblem, ExitPolicy,
    GraphError, Guard, Hold, HookHandle, HookInfo, HookReturn, IntoAction, IntoHook, MainReturn,
    OrderError, Plan, Reason, Report, SecondSignal, Shutdown, ShutdownFuture, Signal, Stage, Task,
    TaskKind, UntilShutdown, Work, cancel_on_shutdown, check, exit, hold, hooks, install, is_ready,
    is_shutting_down, on_shutdown, on_signal, shutdown, sleep, tasks, test, thread, trigger,
    until_shutdown, wait, wait_timeout,
};

#[cfg(feature = "tokio")]
pub use graceful_runtime::spawn;

#[cfg(feature = "tokio-util")]
pub use graceful_runtime::cancellation_token;

#[cfg(all(unix, feature = "systemd"))]
pub use graceful_runtime::systemd;

#[cfg(unix)]
pub use graceful_runtime::{ChildStop, IntoChild, child, reap_orphans};

#[doc(hidden)]
pub use graceful_runtime::__private;
