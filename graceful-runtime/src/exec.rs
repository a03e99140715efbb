//! Driving a future where no async runtime does: async hooks when `main` is sync, or on a
//! thread that took over the hooks.
//!
//! With the `tokio` feature and no tokio runtime on this thread, a current-thread runtime with
//! every driver the build enabled, so tokio timers and sockets work inside the hook. Otherwise
//! the smallest executor there is: poll, park until woken, poll again.

use std::{
    future::Future,
    pin::pin,
    sync::Arc,
    task::{Context, Poll, Wake},
    thread::Thread,
};

pub(crate) fn block_on<F: Future>(fut: F) -> F::Output {
    #[cfg(feature = "tokio")]
    if tokio::runtime::Handle::try_current().is_err() {
        if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            return rt.block_on(fut);
        }
    }
    park_on(fut)
}

struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

fn park_on<F: Future>(fut: F) -> F::Output {
    let waker = Arc::new(Unpark(std::thread::current())).into();
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drives_a_future_woken_from_another_thread() {
        let (tx, rx) = std::sync::mpsc::channel::<std::task::Waker>();
        let mut woken = false;
        let fut = std::future::poll_fn(move |cx| {
            if woken {
                return Poll::Ready(7);
            }
            woken = true;
            tx.send(cx.waker().clone()).unwrap();
            Poll::Pending
        });
        let waker = std::thread::spawn(move || rx.recv().unwrap().wake());
        assert_eq!(park_on(fut), 7);
        waker.join().unwrap();
    }
}
