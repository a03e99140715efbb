//! `exit(code)`: Python's `sys.exit` for Rust, defined on every thread and at every moment.

use std::io::Write as _;

use super::finish;
use crate::{
    Reason, actions, body, conclude,
    conclude::park_forever,
    exit_code::exit_with,
    main_end::MainEnd,
    runner,
    state::STATE,
    stopping, sys,
    unwind::{ExitPayload, drop_payload},
    work,
};

/// End the program with `code`, after an orderly unwind and the hooks.
///
/// - On the thread running `main`'s body it unwinds the stack without a panic message (the
///   `Drop`s run), then the hooks run, then the process exits with `code`.
/// - Inside a hook it ends that hook; the other hooks still run, and the process exits with
///   `code`. In a hook already left behind (past its timeout) it only ends that hook; in a
///   hook of the final stage it ends that hook too, and the exit stays the one the report gave.
/// - On another thread it starts Stopping with that code, and unwinds that thread without a
///   panic message: a thread spawned with std ends (its `JoinHandle` gives `Err`), a task on a
///   tokio runtime ends as if it had panicked, silently, and the runtime's worker carries on.
///   The body is told to stop as for a signal. Should the unwind come back to the body as a
///   panic (`join().unwrap()`, `std::thread::scope`, an awaited task's `unwrap`), that panic
///   counts as the exit: the process exits with `code`, and the report says so. (Recognised by
///   the panic's message, which the attribute and [`Builder::run`](crate::Builder::run) see;
///   under [`install`](crate::install) the guard cannot, and such a panic exits 101.)
/// - In a `Drop` that runs while its thread is already unwinding (a panic, or another
///   `exit()`), it cannot unwind again: on the body's thread the hooks run there and then
///   (on a thread of their own) and the process exits with the table's code (a panic's 101,
///   or the first `exit`'s code); in a hook, that hook ends; elsewhere the thread parks.
/// - Once the install guard has run the hooks and returned, or in a child forked after
///   graceful was installed, it exits at once, as `std::process::exit` does.
/// - Without `#[graceful::main]` or [`install`](crate::install), it runs the hooks on the
///   calling thread, then exits.
///
/// The OS carries exit codes 0..=255 on unix: a code outside them exits 255, and the report
/// says so. A non-zero `code` wins over a failed hook; see the exit-code table in the crate
/// docs.
///
/// Under `panic = "abort"` nothing can unwind: on the body's thread the hooks run at once and
/// the process exits with `code`, but the body's own `Drop`s do not run (so a
/// [`hold`](crate::hold) on the body's stack is never released: the hooks then wait for it up
/// to `body_timeout`, and the exit is 124); in a hook, that hook ends and the others run; on
/// another thread, Stopping begins and the thread parks for good (a tokio worker too: the
/// runtime has one fewer, and dropping it waits for that worker, so a body that drops its
/// runtime is abandoned at `body_timeout`, 124).
///
/// ```no_run
/// # use graceful_runtime as graceful;
/// fn load_settings() -> String {
///     std::fs::read_to_string("settings.toml").unwrap_or_else(|_| {
///         eprintln!("no settings.toml");
///         graceful::exit(2) // main's Drops run, then the hooks, then exit 2
///     })
/// }
/// # let _ = load_settings();
/// ```
pub fn exit(code: i32) -> ! {
    if STATE.forked() || STATE.handed_back() {
        // Nothing supervises the process any more: exit as std would.
        let _ = std::io::stdout().flush();
        std::process::exit(exit_with(code).code());
    }
    if runner::in_hook_left_behind() {
        // The run went on without this hook: its exit changes nothing; the hook just ends
        // (where nothing can unwind, its thread parks).
        if std::thread::panicking() || cfg!(panic = "abort") {
            park_forever();
        }
        std::panic::resume_unwind(Box::new(ExitPayload(code)));
    }
    if runner::in_final_hook() {
        // The report gave the exit before the final stage began: this ends the hook alone,
        // and the other final hooks still run.
        if std::thread::panicking() || cfg!(panic = "abort") {
            runner::end_hook_here(code);
            park_forever();
        }
        std::panic::resume_unwind(Box::new(ExitPayload(code)));
    }
    STATE.request_exit(code);
    stopping::stop(Reason::Exit(code));
    if !STATE.supervised() {
        // Not installed: nothing else will run the hooks.
        conclude::end_process(unsupervised());
    }
    if let Some((claimed, _)) = STATE.exit_claimed() {
        // The exit is under way: from an `atexit` handler or a destructor on the thread that
        // is ending the process, end it now; from another thread, wait for it.
        if conclude::exiting_here() {
            // A non-zero code asked for after a zero one was claimed (an `atexit` handler that
            // failed) wins, as a non-zero exit() after main returned does; it says so, since
            // the report already gave the other.
            let carried = exit_with(code).code();
            if claimed == 0 && carried != 0 {
                let line = format!("graceful: exit({code}) called while exiting: exit {carried}\n");
                sys::stderr_bounded(line.as_bytes(), crate::clock::now_ns() + 100_000_000);
                sys::exit_now(carried);
            }
            sys::exit_now(claimed);
        }
        park_forever();
    }
    if std::thread::panicking() {
        if body::is_body_thread() {
            body::leave();
            let end = match body::take_exit_unwind() {
                Some(first) => MainEnd::Exited(first),
                None => MainEnd::Panicked,
            };
            conclude::end_process(finish::finish_off_the_unwind(end));
        }
        if runner::in_hook() {
            runner::end_hook_here(code);
        }
        // A `thread::spawn` worker: its panic is reported and its hold released.
        work::exit_while_unwinding(code);
        park_forever();
    }
    if cfg!(panic = "abort") {
        without_unwinding(code);
    }
    if body::is_body_thread() {
        body::note_exit_unwind(code);
    } else if !runner::in_hook() {
        // Should this unwind come back to the body as a panic (a join's `unwrap`, a scope),
        // it is taken as this exit.
        body::note_other_exit(code);
    }
    std::panic::resume_unwind(Box::new(ExitPayload(code)))
}

/// `panic = "abort"`: nothing can unwind, so nothing does. On the body's thread the hooks run
/// here and the process ends with `code` (the body's `Drop`s do not run); in a hook, that hook
/// ends here and a fresh runner carries on; elsewhere the thread parks, its work done (a
/// `thread::spawn` worker's hold released), while the stop goes on.
fn without_unwinding(code: i32) -> ! {
    if body::is_body_thread() {
        body::leave();
        conclude::end_process(finish::finish(MainEnd::Exited(code)));
    }
    if runner::in_hook() {
        runner::end_hook_here(code);
    } else {
        work::parked_by_exit();
        actions::parked_by_exit();
        // The body may be waiting for this thread (a join, a scope): should it be abandoned at
        // body_timeout for that, the exit's code still wins.
        STATE.note_exit_parked();
    }
    park_forever()
}

/// graceful is not installed: run the hooks here (on a thread of their own if this one is
/// unwinding), then decide.
fn unsupervised() -> crate::exit_code::Decision {
    let run = || {
        if !STATE.claim_cleanup() {
            park_forever();
        }
        runner::start();
        finish::run_here()
    };
    if std::thread::panicking() {
        return std::thread::scope(|s| s.spawn(run).join()).unwrap_or_else(|payload| {
            drop_payload(payload);
            exit_with(101)
        });
    }
    run()
}
