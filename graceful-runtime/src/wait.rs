//! The cooperative API: how the body learns that it should stop.
//!
//! Layer 2: it imports the reporter (5), `stopping` (7), the state machine (9) and the leaves.

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use crate::{
    Reason, Shutdown,
    report::reporter,
    state::STATE,
    stopping::{self, forget_waker, keep_waker, wait_for_stop},
};

/// Why we stop, once stopping; the program has then asked (see `State::note_asked`).
fn current() -> Option<Shutdown> {
    let reason = STATE.reason()?;
    STATE.note_asked();
    Some(Shutdown::new(reason))
}

/// `true` once the program is stopping, for any reason. One atomic load: cheap enough for
/// the innermost loop.
///
/// ```
/// # use graceful_runtime as graceful;
/// assert!(!graceful::is_shutting_down());
/// ```
#[inline]
pub fn is_shutting_down() -> bool {
    // One load and nothing else: it does not count as having asked (see `State::note_asked`),
    // which would cost the innermost loop a branch (1.31x an `AtomicBool` load, measured).
    STATE.stopping()
}

/// `true` until the first signal, or any other cause of stopping: the answer for a readiness
/// probe. With a [`drain`](crate::Builder::drain) it turns false at the first signal while the
/// body keeps serving; the body is told to stop only when the drain is over.
///
/// ```
/// # use graceful_runtime as graceful;
/// assert!(graceful::is_ready());
/// ```
#[inline]
pub fn is_ready() -> bool {
    STATE.ready()
}

/// `Err(Shutdown)` once the program is stopping, so `?` unwinds to `main`.
///
/// # Errors
/// [`Shutdown`] once stopping has begun.
///
/// ```
/// # use graceful_runtime as graceful;
/// fn step() -> Result<(), graceful::Shutdown> {
///     graceful::check()?;
///     // ... one unit of work ...
///     Ok(())
/// }
/// assert!(step().is_ok());
/// ```
#[inline]
pub fn check() -> Result<(), Shutdown> {
    // The common case is one atomic load, as in `is_shutting_down`.
    if !STATE.stopping() {
        return Ok(());
    }
    current().map_or(Ok(()), Err)
}

/// Sleep for `duration`, or less: the sleep ends at once when the program starts stopping.
///
/// It blocks the calling thread. In async code that is an executor's thread, and every task on
/// it stalls: there, await
/// [`cancel_on_shutdown`](crate::cancel_on_shutdown)`(tokio::time::sleep(d))` instead (or your
/// executor's timer), which ends the same way and blocks nothing.
///
/// # Errors
/// [`Shutdown`] if the program is stopping, whether before or during the sleep.
///
/// ```
/// # use graceful_runtime as graceful;
/// use std::time::Duration;
/// assert!(graceful::sleep(Duration::from_millis(1)).is_ok());
/// ```
pub fn sleep(duration: Duration) -> Result<(), Shutdown> {
    if wait_for_stop(Some(duration)) {
        return Err(current().unwrap_or(Shutdown::new(Reason::Trigger)));
    }
    Ok(())
}

/// Block until the program starts stopping; returns why.
///
/// ```no_run
/// # use graceful_runtime as graceful;
/// std::thread::spawn(|| {
///     let why = graceful::wait();
///     eprintln!("worker stopping: {why}");
/// });
/// ```
pub fn wait() -> Shutdown {
    wait_for_stop(None);
    current().unwrap_or(Shutdown::new(Reason::Trigger))
}

/// Block until the program starts stopping or `timeout` passes; `None` on timeout.
///
/// ```
/// # use graceful_runtime as graceful;
/// use std::time::Duration;
/// assert_eq!(graceful::wait_timeout(Duration::from_millis(1)), None);
/// ```
pub fn wait_timeout(timeout: Duration) -> Option<Shutdown> {
    if wait_for_stop(Some(timeout)) {
        current()
    } else {
        None
    }
}

/// Start stopping, as a signal would: every waiter wakes, then the body returns and the hooks
/// run. A clean stop by `trigger()` exits 0.
///
/// ```
/// # use graceful_runtime as graceful;
/// # // Runs in its own process in the doc-test harness: triggering is process-wide.
/// graceful::trigger();
/// assert!(graceful::is_shutting_down());
/// assert!(graceful::check().is_err());
/// ```
pub fn trigger() {
    stopping::stop(Reason::Trigger);
}

/// A future that resolves when the program starts stopping. It needs no runtime: it works
/// in `tokio::select!`, in any executor, and as axum's shutdown signal
/// (`.with_graceful_shutdown(async { graceful::shutdown().await; })`, since axum wants a
/// future of `()`).
///
/// It is `Send`, `'static` and `Clone`: the token to hand to tasks that outlive the function
/// that made it. Each clone waits on its own.
///
/// ```
/// # use graceful_runtime as graceful;
/// # use std::{future::Future, pin::pin, task::{Context, Poll, Waker}};
/// let mut fut = pin!(graceful::shutdown());
/// let mut cx = Context::from_waker(Waker::noop());
/// assert!(fut.as_mut().poll(&mut cx).is_pending());
/// graceful::trigger();
/// assert!(matches!(fut.as_mut().poll(&mut cx), Poll::Ready(_)));
/// ```
pub fn shutdown() -> ShutdownFuture {
    ShutdownFuture { id: 0 }
}

/// The future returned by [`shutdown()`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct ShutdownFuture {
    /// 0 until it first waits; then its slot among the wakers.
    id: u64,
}

impl Future for ShutdownFuture {
    type Output = Shutdown;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Shutdown> {
        if let Some(s) = current() {
            return Poll::Ready(s);
        }
        keep_waker(&mut self.id, cx.waker());
        if STATE.supervised() {
            // The reporter calls the wakers when the stop comes.
            reporter::ensure_started();
        }
        // Stopping may have begun (and the wakers been taken) since the first look.
        match current() {
            Some(s) => Poll::Ready(s),
            None => Poll::Pending,
        }
    }
}

impl Clone for ShutdownFuture {
    /// A new, independent wait for the same shutdown.
    fn clone(&self) -> Self {
        shutdown()
    }
}

impl Drop for ShutdownFuture {
    fn drop(&mut self) {
        forget_waker(self.id);
    }
}
