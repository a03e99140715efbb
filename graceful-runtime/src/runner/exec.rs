//! Driving a future where no async runtime does: async hooks when `main` is sync, or on a
//! thread that took over the hooks.
//!
//! With the `tokio` feature and no tokio runtime on this thread, a current-thread runtime with
//! every driver the build enabled, so tokio timers and sockets work inside the hook. One runtime
//! serves every async hook on the thread, and it is shut down in the background when the
//! thread's hooks are done (`shutdown`): dropping a tokio runtime waits for its blocking tasks,
//! and a hook cancelled at its timeout may have left some. Otherwise the smallest executor
//! there is: poll, park until woken, poll again.

use std::{
    future::Future,
    pin::pin,
    sync::Arc,
    task::{Context, Poll, Wake},
    thread::Thread,
};

#[cfg(feature = "tokio")]
thread_local! {
    static RUNTIME: std::cell::RefCell<Option<tokio::runtime::Runtime>> =
        const { std::cell::RefCell::new(None) };
}

pub(crate) fn block_on<F: Future>(fut: F) -> F::Output {
    #[cfg(feature = "tokio")]
    if tokio::runtime::Handle::try_current().is_err() {
        RUNTIME.with_borrow_mut(|rt| {
            if rt.is_none() {
                *rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok();
            }
        });
        return RUNTIME.with_borrow(|rt| match rt {
            Some(rt) => rt.block_on(fut),
            None => park_on(fut),
        });
    }
    park_on(fut)
}

/// Whether a future cannot be driven on this thread: a current-thread tokio runtime is
/// entered here (the program's, blocked by the caller), whose timers and sockets only its own
/// `block_on` drives, and which cannot be entered twice. Such a hook needs a thread of its own.
pub(crate) fn needs_a_thread_of_its_own() -> bool {
    #[cfg(feature = "tokio")]
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        return handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::CurrentThread;
    }
    false
}

/// Done with this thread's async hooks: let its runtime go without waiting for its blocking
/// tasks.
pub(crate) fn shutdown() {
    #[cfg(feature = "tokio")]
    if let Some(rt) = RUNTIME.with_borrow_mut(Option::take) {
        rt.shutdown_background();
    }
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
