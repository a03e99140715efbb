//! Async work that ends at the stop: [`cancel_on_shutdown`] for a future, [`until_shutdown`] for
//! a stream (server-sent events, WebSocket loops), so a server with long-lived streams stops in
//! time. Runtime-agnostic: std's `Waker` and `futures-core`'s `Stream` trait, nothing else.
//!
//! Layer 2, beside the cooperative API it builds on (`wait`).

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

use futures_core::Stream;

use crate::{Shutdown, ShutdownFuture, shutdown};

/// Run `future` until it completes (`Ok(output)`) or the program starts stopping
/// (`Err(Shutdown)`; the future is then dropped with this one). Where both are ready at once,
/// the output wins. In async code this is the way to wait: `graceful::sleep` blocks its thread,
/// and with it an executor's worker.
///
/// ```
/// # use graceful_runtime as graceful;
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::time::Duration;
/// let done = graceful::cancel_on_shutdown(async { 42 }).await;
/// assert_eq!(done, Ok(42));
/// graceful::trigger();
/// let slept = graceful::cancel_on_shutdown(tokio::time::sleep(Duration::from_secs(60)));
/// assert!(slept.await.is_err()); // at once: stopping has begun
/// # }
/// ```
pub fn cancel_on_shutdown<F: Future>(future: F) -> CancelOnShutdown<F> {
    CancelOnShutdown {
        future: Box::pin(future),
        stop: shutdown(),
    }
}

/// The future returned by [`cancel_on_shutdown`].
#[must_use = "futures do nothing unless awaited"]
pub struct CancelOnShutdown<F> {
    future: Pin<Box<F>>,
    stop: ShutdownFuture,
}

impl<F: Future> Future for CancelOnShutdown<F> {
    type Output = Result<F::Output, Shutdown>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Poll::Ready(output) = self.future.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        Pin::new(&mut self.stop).poll(cx).map(Err)
    }
}

/// End `stream` when the program starts stopping: the items it yields until then pass
/// through, then it ends (`None`), so the response it feeds (server-sent events, a WebSocket
/// loop, a long poll) completes and the server can exit 0 within `body_timeout`.
///
/// ```
/// # use graceful_runtime as graceful;
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::{pin::pin, future::poll_fn};
/// use futures_core::Stream;
/// struct Count(u32);
/// impl Stream for Count {
///     type Item = u32;
///     fn poll_next(mut self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>)
///         -> std::task::Poll<Option<u32>> {
///         self.0 += 1;
///         std::task::Poll::Ready(Some(self.0))
///     }
/// }
/// let mut events = pin!(graceful::until_shutdown(Count(0)));
/// assert_eq!(poll_fn(|cx| events.as_mut().poll_next(cx)).await, Some(1));
/// graceful::trigger();
/// assert_eq!(poll_fn(|cx| events.as_mut().poll_next(cx)).await, None);
/// # }
/// ```
pub fn until_shutdown<S: Stream>(stream: S) -> UntilShutdown<S> {
    UntilShutdown {
        stream: Some(Box::pin(stream)),
        stop: shutdown(),
    }
}

/// The stream returned by [`until_shutdown`].
#[must_use = "streams do nothing unless polled"]
pub struct UntilShutdown<S> {
    /// `None` once ended.
    stream: Option<Pin<Box<S>>>,
    stop: ShutdownFuture,
}

impl<S: Stream> Stream for UntilShutdown<S> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let this = &mut *self;
        if this.stream.is_none() || Pin::new(&mut this.stop).poll(cx).is_ready() {
            // Dropped at the stop, so what it holds (a subscription, a hold) goes with it.
            this.stream = None;
            return Poll::Ready(None);
        }
        let Some(stream) = this.stream.as_mut() else {
            return Poll::Ready(None);
        };
        match stream.as_mut().poll_next(cx) {
            Poll::Ready(None) => {
                this.stream = None;
                Poll::Ready(None)
            }
            other => other,
        }
    }
}
