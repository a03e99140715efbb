//! The runtime behind [`graceful`](https://docs.rs/graceful): everything that runs. Users depend
//! on the `graceful` crate, which re-exports this one together with the attributes.
//!
//! # Map of the crate, in layers
//! Read top to bottom: a module imports only from rows below its own (a child naming its own
//! parent aside). A test (`tests/layers.rs`) checks the code against this table.
//!
//! | layer | modules | owns |
//! | --- | --- | --- |
//! | 0 | `test` | `#[graceful::test]`'s harness: the child runs the entry points, the parent reads its report |
//! | 1 | `entry` | the entry points: [`Builder`] (`run`, `install`), the attribute's `run` and `run_async`, the install [`Guard`], [`exit`] |
//! | 2 | `watchdog`, `wait`, `work`, `cancel`, `bridge`, `health`, `actions`, `children` | the safety net: the deadline, the second signal, `body_timeout`, stepping in when something is stuck; the cooperative API: [`is_shutting_down`], [`check`], [`sleep`], [`wait`], [`wait_timeout`], [`trigger`], [`shutdown()`]; work that holds the stop: [`thread::spawn`], `spawn` (tokio), [`tasks()`]; async work that ends at the stop: [`cancel_on_shutdown`], [`until_shutdown`]; bridges: `cancellation_token()` (`tokio-util`), `Shutdown` as a `miette::Diagnostic`; the probe listener (`/livez`, `/readyz`); actions for `SIGHUP`, `SIGUSR1`, `SIGUSR2` ([`on_signal`]) on their own thread; child processes stopped and reaped within the deadline (`child`, unix) |
//! | 3 | `runner` | running the hooks: isolation, per-hook timeouts, carrying on past a stuck hook or a stuck write |
//! | 4 | `conclude`, `body` | how the run ends: the table applied, the last lines, ending the process; the body's bookkeeping |
//! | 5 | `report` | events in; text, JSON, `log` and `tracing` out; the reporter thread; graceful's writes to stderr |
//! | 6 | `event`, `exit_code`, `main_end`, `hooks`, `config`, `systemd` | plain model types: events and hook outcomes, the exit-code table, how main ended, the hook registry, the configuration, systemd's notify messages |
//! | 7 | `stopping`, `intake`, `holds` | entering Stopping and waking waiters; the signal handler, whole; the work in flight ([`hold`]) |
//! | 8 | `sys` | the platform: words to sleep on, signal registration, bounded writes, ending the process |
//! | 9 | `state` | the state machine, as atomics |
//! | 10 | `signal`, `shutdown`, `clock`, `duration`, `unwind`, `spin` | leaves: [`Signal`], [`Shutdown`], [`Reason`] and [`Work`], the monotonic clock, durations as people write them, unwinding payloads, a lock for a few instructions |
//!
//! The threads: the body's (which runs the hooks after it, with no hop); the **watchdog**,
//! which runs no user code, does no blocking I/O and takes no lock but by trying (so no fault
//! in a logger, a `Drop`, a waker or stderr can disarm it); and the **reporter**, which runs
//! what the report owes the world (wakers, sinks, systemd, lines nobody else writes) and is
//! replaced when it gets stuck. Threads that take the hooks over when the body or a hook is
//! stuck come and go.
//!
//! # The sequence
//! 1. **Running.** [`Builder::run`] (or the attribute, or [`install`]) reads the configuration,
//!    installs handlers for the configured signals and starts the watcher thread, then runs
//!    the body. A bad environment value exits 78 before the body runs.
//! 2. **Stopping** begins at the first of: a signal, [`trigger`], [`exit`], `main` returning or
//!    panicking. Every waiter wakes: [`sleep`] and [`check`] return `Err(Shutdown)`, [`wait`]
//!    returns, [`shutdown()`] resolves, [`is_shutting_down`] turns true. The body is expected to
//!    return. A body still running at `body_timeout` is abandoned: the hooks run on another
//!    thread while it lives on (main's thread-locals are not there, and the hooks may race it).
//! 3. **Cleanup.** The hooks run exactly once, in their plan's stages and order (see
//!    [`hooks()`]), one at a time or, with `concurrent_hooks`, those that nothing orders at
//!    once; the final stage after the report. Each is isolated: a
//!    panic or an `Err` is reported and the next still runs; a hook past its own `timeout` is
//!    reported as failed and left behind.
//! 4. **Exit**, after the report, with the code below.
//! 5. **Deadline.** Everything from the start of Stopping is bounded by `timeout`; past it the
//!    process exits 124, naming what was still running. A *second* signal forces an immediate
//!    exit by that signal; a first signal that arrives while stopping for another reason is
//!    absorbed. The first signal repeated by the same sender within 100 ms is the same request
//!    delivered twice (GNU `timeout` signals the child and then its process group), not a
//!    second one.
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
//! # Not covered
//! - `SIGKILL` cannot be caught: past the orchestrator's grace period nothing runs. Keep
//!   graceful's `timeout` below it.
//! - `panic = "abort"`: nothing unwinds. [`exit`] still runs the hooks and exits with its code
//!   (the body's own `Drop`s do not run), but a panic, in `main` or in a hook, ends the
//!   process at once: no hook is isolated from a panic there.
//! - A child forked after graceful was installed is not supervised: its copy of `main`
//!   returning runs no hook (they are the parent's), a stop signal does to it what it would do
//!   without graceful, and [`exit`] exits it at once.
//! - `std::process::exit` ends the process on the spot: use [`exit`].
//! - Hooks in a library crate that the binary never names are not linked (Rust drops unused
//!   crates); name the crate (`use that_crate as _;`).

// linkme's sections are garbage-collected by GNU ld on windows-gnu (dtolnay/linkme#25): the
// static hooks would be silently missing. Refuse to build there unless the binary keeps them.
#[cfg(all(windows, target_env = "gnu", not(graceful_keep_sections)))]
compile_error!(
    "on x86_64-pc-windows-gnu the GNU linker drops #[graceful::on_shutdown] hooks \
     (dtolnay/linkme#25); keep them by adding to .cargo/config.toml: \
     [target.x86_64-pc-windows-gnu] rustflags = [\"-C\", \"link-arg=-Wl,--no-gc-sections\", \
     \"--cfg\", \"graceful_keep_sections\"] (see docs/PLATFORMS.md)"
);

mod actions;
mod body;
mod bridge;
mod cancel;
#[cfg(unix)]
mod children;
mod clock;
mod conclude;
mod config;
mod duration;
mod entry;
mod event;
mod exit_code;
mod health;
mod holds;
mod hooks;
mod intake;
mod main_end;
mod report;
mod runner;
mod shutdown;
mod signal;
mod spin;
mod state;
mod stopping;
mod sys;
#[cfg(all(unix, feature = "systemd"))]
pub mod systemd;
pub mod test;
mod unwind;
mod wait;
mod watchdog;
mod work;

#[doc(hidden)]
pub mod __private;

pub use actions::{ActionError, IntoAction, on_signal};
#[cfg(feature = "tokio-util")]
pub use bridge::cancellation_token;
pub use cancel::{CancelOnShutdown, UntilShutdown, cancel_on_shutdown, until_shutdown};
#[cfg(unix)]
pub use children::{ChildStop, IntoChild, Reap, child, reap_orphans};
pub use config::{ConfigError, EnvProblem, ExitPolicy, Report, SecondSignal};
pub use duration::DurationError;
pub use entry::{Builder, Guard, exit, install};
pub use holds::{Hold, Task, TaskKind, hold};
pub use hooks::{
    GraphError, HookHandle, HookInfo, HookReturn, IntoHook, OrderError, Plan, Stage, hooks,
    on_shutdown,
};
pub use main_end::MainReturn;
pub use shutdown::{Reason, Shutdown, Work};
pub use signal::Signal;
pub use wait::{
    ShutdownFuture, check, is_ready, is_shutting_down, shutdown, sleep, trigger, wait, wait_timeout,
};
#[cfg(feature = "tokio")]
pub use work::spawn;
pub use work::{tasks, thread};
