//! `exit(code)`: Python's `sys.exit` for Rust.

use crate::{Reason, lifecycle, runner, state};

/// The unwinding payload of [`exit`]: not a panic, so no message is printed.
pub(crate) struct ExitPayload(pub(crate) i32);

/// End the program with `code`, after an orderly unwind and the hooks.
///
/// - On the thread running `main`'s body it unwinds the stack without a panic message (the
///   `Drop`s run), then the hooks run, then the process exits with `code`.
/// - From another thread it starts Stopping with that code and never returns; the body is
///   told to stop as for a signal.
/// - Inside a hook it ends that hook; the other hooks still run, and the process exits with
///   `code`.
/// - Without `#[graceful::main]` or [`install`](crate::install), it runs the hooks on the
///   calling thread, then exits.
///
/// A non-zero `code` wins over a failed hook; see the exit-code table in the crate docs.
/// It relies on unwinding: under `panic = "abort"` it aborts instead.
///
/// ```no_run
/// fn load_settings() -> String {
///     std::fs::read_to_string("settings.toml").unwrap_or_else(|_| {
///         eprintln!("no settings.toml");
///         graceful_runtime::exit(2) // main's Drops run, then the hooks, then exit 2
///     })
/// }
/// # let _ = load_settings();
/// ```
pub fn exit(code: i32) -> ! {
    state::request_exit(code);
    lifecycle::stop(Reason::Exit(code));
    if runner::in_hook() || lifecycle::is_body_thread() {
        lifecycle::note_exit_unwind(code);
        std::panic::resume_unwind(Box::new(ExitPayload(code)));
    }
    if lifecycle::installed() {
        // The body has been told to stop; its thread runs the hooks and ends the process.
        lifecycle::park_forever();
    }
    // Nothing else will run the hooks: run them here.
    lifecycle::exit_process(lifecycle::cleanup_here())
}
