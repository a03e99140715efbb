//! Running a body under graceful: `run` for a sync body, `run_async` for a future (what the
//! attribute's expansion and [`Builder::run`](crate::Builder::run) come to).

use std::{
    future::Future,
    panic::{AssertUnwindSafe, catch_unwind},
    pin::Pin,
    process::ExitCode,
    task::{Context, Poll},
};

use super::{finish, start};
use crate::{
    body, conclude,
    conclude::park_forever,
    config::Settings,
    holds,
    main_end::MainEnd,
    report::reporter,
    runner::{self, Finish},
    state::{Body, STATE},
    stopping::{forget_waker, keep_waker},
    unwind::contained,
};

/// Run `body` as the body of main under graceful.
pub(crate) fn run(settings: &Settings, body: impl FnOnce() -> MainEnd) -> ExitCode {
    if !start::start_or_exit(settings, false) {
        return finish::as_std_would(body());
    }
    let end = catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(body::unwound);
    body::leave();
    if STATE.forked() {
        return finish::as_std_would(end);
    }
    conclude::exit_code(finish::finish(end))
}

/// Run the future `body` as the body of an async `main`, inside the program's runtime.
///
/// At `body_timeout` the body future is dropped, which runs its destructors; then the hooks
/// are awaited here, on the program's runtime, so tokio types work inside async hooks. The
/// process exits from here, after the report, without waiting for the runtime's teardown
/// (whose blocking threads could outlive the deadline).
pub(crate) async fn run_async(
    settings: &Settings,
    body: impl Future<Output = MainEnd>,
) -> ExitCode {
    if !start::start_or_exit(settings, true) {
        return finish::as_std_would(body.await);
    }
    let mut body = Some(Box::pin(body));
    let end = BodyRace {
        body: &mut body,
        waker: 0,
    }
    .await;
    // Dropping an abandoned body runs its destructors: a panic or `exit()` there must not
    // escape past the hooks. (Still the body's thread, so `exit()` unwinds to here.)
    contained(|| drop(body.take()));
    body::leave();
    if STATE.forked() {
        return finish::as_std_would(end);
    }
    let mut claimed = false;
    let mut abandoned = STATE.body() == Body::Abandoned;
    if !abandoned {
        let began = finish::returned(&end);
        let released = match holds::try_release() {
            Some(done) => done,
            None => {
                // The tasks it waits for may need this very thread: wait as a future, which
                // the reporter wakes.
                reporter::ensure_started();
                holds::Released::new().await
            }
        };
        if released {
            claimed = finish::claim(&end, began);
        } else {
            abandoned = true;
        }
    }
    if abandoned {
        // Dropped at body_timeout, or given up on with work still held: the hooks run here,
        // unless the watchdog, tired of waiting for this runtime, already runs them elsewhere.
        claimed = STATE.claim_cleanup() && {
            runner::start();
            true
        };
    }
    if !claimed {
        park_forever();
    }
    match runner::run_hooks_async(0).await {
        Finish::Done => conclude::end_process(runner::conclude_async().await),
        Finish::Superseded => {
            // Other lanes carry on, and their async hooks may await this runtime's timers and
            // sockets (a connection made in main): keep it going rather than park its thread.
            std::future::pending::<()>().await;
            park_forever()
        }
    }
}

/// The async body, raced against its abandonment at `body_timeout`; a panic or `exit()` inside
/// it is caught like the sync body's. Its task's waker is kept, so the reporter can wake it
/// when the watchdog abandons it.
struct BodyRace<'a, F> {
    body: &'a mut Option<Pin<Box<F>>>,
    waker: u64,
}

impl<F: Future<Output = MainEnd>> Future for BodyRace<'_, F> {
    type Output = MainEnd;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<MainEnd> {
        if STATE.body() == Body::Abandoned {
            return Poll::Ready(MainEnd::Abandoned);
        }
        let this = &mut *self;
        keep_waker(&mut this.waker, cx.waker());
        // The reporter wakes it when the watchdog abandons it.
        reporter::ensure_started();
        let Some(body) = this.body.as_mut() else {
            return Poll::Ready(MainEnd::Abandoned);
        };
        let body = body.as_mut();
        match catch_unwind(AssertUnwindSafe(|| body.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(end)) => Poll::Ready(end),
            Err(payload) => Poll::Ready(body::unwound(payload)),
        }
    }
}

impl<F> Drop for BodyRace<'_, F> {
    fn drop(&mut self) {
        forget_waker(self.waker);
    }
}
