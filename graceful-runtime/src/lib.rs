//! The runtime behind [`graceful`](https://docs.rs/graceful): everything that runs. Users depend
//! on the `graceful` crate, which re-exports this one together with the attributes.
//!
//! # Map of the crate
//! | module | owns |
//! | --- | --- |
//! | `signal` | signal intake per platform: the async-signal-safe handler on unix (`signal-hook-registry`), the console control handler on Windows; the latch that wakes waiters; dying of a signal |
//! | `state` | the state machine Running → Stopping → Cleanup → exit, as lock-free atomics |
//! | `wait` | the cooperative API: [`is_shutting_down`], [`check`], [`sleep`], [`wait`], [`wait_timeout`], [`trigger`], [`shutdown()`] |
//! | `hooks` | the registry: static hooks (linkme) and closures ([`on_shutdown`]), their order, [`hooks()`] |
//! | `runner` | running hooks: isolation, per-hook timeouts, carrying on past a stuck hook |
//! | `watcher` | the thread that acts on signals: second signal, `body_timeout`, deadline, report writer |
//! | `lifecycle` | [`Builder::run`], [`install`] and the sequence around `main` |
//! | `exit`, `exit_code` | [`exit`] and the exit-code table |
//! | `report` | the report: events with times, text or JSON |
//! | `config` | [`Builder`] and the environment (`GRACEFUL_TIMEOUT`, `GRACEFUL_DRAIN`, `GRACEFUL_REPORT`) |
//! | `systemd` | with the `systemd` feature: `READY=1`, `STOPPING=1`, `EXTEND_TIMEOUT_USEC=` |
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
//! 3. **Cleanup.** The hooks run exactly once, in order (see [`hooks()`]). Each is isolated: a
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
//! | a second signal forced the exit | dies of that signal (128+signo); as PID 1, exits 128+signo; on Windows exits 0xC000013A (`STATUS_CONTROL_C_EXIT`) |
//! | the deadline passed, or the body was abandoned at `body_timeout` | 124 |
//! | main panicked (hooks still ran) | 101 |
//! | main failed: an `Err` that is not a shutdown, a failing `ExitCode`, `exit(code)` with code ≠ 0 | 1 for `Err` (printed as std prints it), else that code |
//! | a hook failed (`Err`, panic, past its timeout) | 1 |
//! | a clean stop after a signal | 0; or the configured code; or dies of the signal with [`ExitPolicy::Signal`] |
//! | otherwise | main's own: 0, its `ExitCode`, `exit(0)` |
//! | a configuration error at start-up | 78 (`EX_CONFIG`); the body never runs |
//!
//! # Not covered
//! - `SIGKILL` cannot be caught: past the orchestrator's grace period nothing runs. Keep
//!   graceful's `timeout` below it.
//! - `panic = "abort"`: no unwinding, so neither a panicking `main` nor [`exit`] can run hooks.
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

mod clock;
mod config;
mod exec;
mod exit;
mod exit_code;
mod hooks;
mod lifecycle;
mod outcome;
mod report;
mod runner;
mod shutdown;
mod signal;
mod state;
#[cfg(all(unix, feature = "systemd"))]
pub mod systemd;
mod wait;
mod watcher;

#[doc(hidden)]
pub mod __private;

pub use config::{Builder, ConfigError, DurationError, EnvProblem, ExitPolicy, Report};
pub use exit::exit;
pub use hooks::{HookHandle, HookInfo, HookReturn, hooks, on_shutdown};
pub use lifecycle::{Guard, install};
pub use outcome::MainReturn;
pub use shutdown::{Reason, Shutdown};
pub use signal::Signal;
pub use wait::{
    ShutdownFuture, check, is_ready, is_shutting_down, shutdown, sleep, trigger, wait, wait_timeout,
};
