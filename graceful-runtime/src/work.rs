//! Work that holds the stop until it ends: threads ([`thread::spawn`]) and, with the `tokio`
//! feature, tasks ([`spawn`]); [`tasks()`], what is in flight. A panic or an `Err` from such
//! work starts Stopping with [`Reason::Failed`] naming it; the exit is then 101 for a panic and
//! 1 for an `Err` (see the exit-code table).
//!
//! Layer 2, beside the cooperative API: it imports the report (5), the model types (6), the
//! holds and `stopping` (7), the state machine (9) and the leaves.

use std::{
    any::Any,
    borrow::Cow,
    cell::RefCell,
    panic::{AssertUnwindSafe, Location, catch_unwind},
};

use crate::{
    HookReturn, Reason,
    event::Event,
    holds::{self, Hold, Task, TaskKind},
    report,
    shutdown::{Failure, Work},
    state::STATE,
    stopping,
    unwind::{ExitPayload, drop_payload, panic_message},
};

/// What is in flight: every [`hold`](crate::hold), thread and task that holds the stop, in the
/// order taken, as [`hooks()`](crate::hooks) lists the hooks.
///
/// ```
/// # use graceful_runtime as graceful;
/// let _hold = graceful::hold("upload").unwrap();
/// let tasks = graceful::tasks();
/// assert!(tasks.iter().any(|t| t.name() == "upload"));
/// ```
pub fn tasks() -> Vec<Task> {
    holds::open()
}

/// Threads that hold the stop until they end.
pub mod thread {
    use super::*;

    /// Start a thread named `name` that holds the stop until `f` returns: after `main` returns
    /// (and after the drain), the hooks wait for it, up to `body_timeout` (see
    /// [`hold`](crate::hold)).
    ///
    /// `f` returns `()` or `Result<(), E: Display>`. A panic in it, or an `Err`, starts Stopping
    /// with [`Reason::Failed`](crate::Reason::Failed) naming it, the report shows the error, and
    /// the process exits 101 for a panic, 1 for an `Err` (unless a worse row of the exit-code
    /// table applies). The panic is caught: joining the handle returns `Ok(())`.
    /// [`exit(code)`](crate::exit) inside it ends the thread and exits with the code.
    ///
    /// # Errors
    /// `Err(Shutdown)` once the hooks have begun: the thread is not started.
    ///
    /// # Panics
    /// As [`std::thread::spawn`], when the OS cannot start a thread.
    ///
    /// ```
    /// # use graceful_runtime as graceful;
    /// let worker = graceful::thread::spawn("indexer", || {
    ///     // ... work until graceful::is_shutting_down() ...
    ///     Ok::<(), std::io::Error>(())
    /// })
    /// .unwrap();
    /// worker.join().unwrap();
    /// ```
    #[track_caller]
    pub fn spawn<F, R>(
        name: impl Into<Cow<'static, str>>,
        f: F,
    ) -> Result<std::thread::JoinHandle<()>, crate::Shutdown>
    where
        F: FnOnce() -> R + Send + 'static,
        R: HookReturn,
    {
        let name = name.into();
        // The OS name (std refuses a NUL in it); the list of holds keeps the name as given.
        let thread = std::thread::Builder::new().name(name.replace('\0', "\\0"));
        let hold = holds::take(TaskKind::Thread, name, Location::caller())?;
        let handle = thread.spawn(move || {
            // Kept where `exit()` finds it, should a `Drop` call it while `f` unwinds (the
            // thread then never comes back here).
            WORKER.with(|w| *w.borrow_mut() = Some(hold));
            let result = catch_unwind(AssertUnwindSafe(|| f().into_hook_result()));
            if let Some(hold) = WORKER.with(|w| w.borrow_mut().take()) {
                ended(hold, result);
            }
        });
        Ok(handle.expect("failed to spawn thread"))
    }
}

/// Start a tokio task named `name` that holds the stop until `future` completes (or is
/// dropped: aborted, or its runtime shut down). What [`thread::spawn`] is for threads: the
/// hooks wait for it, and a panic or an `Err` from it starts Stopping, reported by name.
///
/// # Errors
/// `Err(Shutdown)` once the hooks have begun: the task is not started.
///
/// # Panics
/// Outside a tokio runtime, as `tokio::spawn` does, with a message that says what to do.
///
/// ```
/// # use graceful_runtime as graceful;
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let task = graceful::spawn("sync", async { Ok::<(), std::io::Error>(()) }).unwrap();
/// task.await.unwrap();
/// # }
/// ```
#[cfg(feature = "tokio")]
#[track_caller]
pub fn spawn<F>(
    name: impl Into<Cow<'static, str>>,
    future: F,
) -> Result<tokio::task::JoinHandle<()>, crate::Shutdown>
where
    F: std::future::Future + Send + 'static,
    F::Output: HookReturn,
{
    let name = name.into();
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        panic!(
            "graceful::spawn({name:?}) must be called from inside a tokio runtime: call it from \
             async code under #[tokio::main], or enter a runtime first (Runtime::enter)"
        );
    };
    let hold = holds::take(TaskKind::Task, name, Location::caller())?;
    // The task carries only the hold and the future (its name is in the list of holds), pinned
    // in the task's own frame: no allocation of its own, the smallest task tokio can make.
    Ok(runtime.spawn(async move {
        let result = caught::Caught(std::pin::pin!(Some(future))).await;
        ended(hold, result);
    }))
}

#[cfg(feature = "tokio")]
mod caught {
    use std::{
        future::Future,
        panic::{AssertUnwindSafe, catch_unwind},
        pin::Pin,
        task::{Context, Poll},
    };

    use crate::HookReturn;

    /// A future's output, normalised, or the payload of its panic: in its poll, or when it
    /// is dropped, which happens here, as soon as it is done (`None` after).
    pub(super) struct Caught<'a, F>(pub(super) Pin<&'a mut Option<F>>);

    impl<F: Future> Future for Caught<'_, F>
    where
        F::Output: HookReturn,
    {
        type Output = std::thread::Result<Result<(), String>>;

        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            let slot = &mut self.0;
            let polled = catch_unwind(AssertUnwindSafe(|| match slot.as_mut().as_pin_mut() {
                Some(future) => future.poll(cx).map(HookReturn::into_hook_result),
                None => Poll::Ready(Ok(())),
            }));
            let result = match polled {
                Ok(Poll::Pending) => return Poll::Pending,
                Ok(Poll::Ready(result)) => Ok(result),
                Err(payload) => Err(payload),
            };
            // Dropped in place, inside the catch: a `Drop` that panics is the work's panic.
            match (result, catch_unwind(AssertUnwindSafe(|| slot.set(None)))) {
                (Ok(_), Err(payload)) => Poll::Ready(Err(payload)),
                (result, Ok(())) => Poll::Ready(result),
                (first, Err(second)) => {
                    crate::unwind::drop_payload(second);
                    Poll::Ready(first)
                }
            }
        }
    }
}

thread_local! {
    /// The hold of the work this thread runs, if it is a `thread::spawn` thread.
    static WORKER: RefCell<Option<Hold>> = const { RefCell::new(None) };
}

/// `exit()` was called on this thread while it unwinds a panic, and parks it for good: if the
/// thread is a `thread::spawn` worker, its panic is reported and its hold released first.
pub(crate) fn exit_while_unwinding(code: i32) {
    // `try_with`: during the thread's own teardown the slot may be gone already.
    if let Ok(Some(hold)) = WORKER.try_with(|w| w.borrow_mut().take()) {
        let error = format!("panicked, and exit({code}) was called as it unwound");
        failed(hold, Failure::Panic, error);
    }
}

/// `exit()` parks this thread for good (under `panic = "abort"`, where it cannot unwind): a
/// `thread::spawn` worker's work is over, and its hold goes.
pub(crate) fn parked_by_exit() {
    if let Ok(Some(hold)) = WORKER.try_with(|w| w.borrow_mut().take()) {
        drop(hold);
    }
}

/// Work ended with `result`: a failure starts Stopping and is reported; then the hold goes.
fn ended(hold: Hold, result: Result<Result<(), String>, Box<dyn Any + Send>>) {
    let (how, error) = match result {
        Ok(Ok(())) => return drop(hold),
        Ok(Err(error)) => (Failure::Err, error),
        // `exit(code)` ended this thread: the exit is under way, this is no failure.
        Err(payload) if payload.is::<ExitPayload>() => return drop(hold),
        Err(payload) => {
            let message = panic_message(&*payload);
            drop_payload(payload);
            (Failure::Panic, message)
        }
    };
    failed(hold, how, error);
}

/// Work failed: Stopping begins for it, the report shows `error`, then the hold goes.
fn failed(hold: Hold, how: Failure, error: String) {
    let Some(task) = hold.task() else {
        return drop(hold);
    };
    let work = Work::failed(task.kind().word(), task.name, task.at, how);
    STATE.note_work_failed(how);
    stopping::stop(Reason::Failed(work));
    report::record(Event::WorkFailed { work, error });
    drop(hold);
}
