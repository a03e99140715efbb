//! Bridges to the types other crates stop by, behind features that cost nothing when off:
//! `tokio-util` (a `CancellationToken` cancelled when stopping begins) and `miette` (`Shutdown`
//! is a `Diagnostic`, so `?` carries it through a `miette::Result` main, a clean stop).
//!
//! Layer 2, beside the cooperative API: it imports the report's reporter (5), `stopping` (7),
//! the state machine (9) and the leaves.

/// A `tokio_util::sync::CancellationToken` cancelled when the program starts stopping (at
/// once, if it has): for code written against tokio-util's token. Each call gives a child of
/// one token graceful cancels, so cancelling yours cancels only yours and its children.
///
/// Runtime-agnostic: graceful cancels it where it wakes every waiting future, with no task
/// and no thread of its own.
///
/// ```
/// # use graceful_runtime as graceful;
/// let token = graceful::cancellation_token();
/// assert!(!token.is_cancelled());
/// graceful::trigger();
/// assert!(token.is_cancelled());
/// assert!(graceful::cancellation_token().is_cancelled());
/// ```
#[cfg(feature = "tokio-util")]
pub fn cancellation_token() -> tokio_util::sync::CancellationToken {
    use std::{
        sync::{Arc, OnceLock},
        task::{Wake, Waker},
    };

    use tokio_util::sync::CancellationToken;

    use crate::{report::reporter, state::STATE, stopping::keep_waker};

    /// Called as a waker when stopping begins: cancels the token.
    struct Cancel(CancellationToken);
    impl Wake for Cancel {
        fn wake(self: Arc<Self>) {
            // Whoever holds the token is told now: the body cooperates through it.
            STATE.note_asked();
            self.0.cancel();
        }
    }

    static TOKEN: OnceLock<CancellationToken> = OnceLock::new();
    TOKEN
        .get_or_init(|| {
            let token = CancellationToken::new();
            let waker = Waker::from(Arc::new(Cancel(token.clone())));
            let mut id = 0;
            keep_waker(&mut id, &waker);
            if STATE.supervised() {
                // The reporter calls the wakers when the stop comes.
                reporter::ensure_started();
            }
            // Stopping may have begun (and the wakers been called) before the waker was kept.
            if STATE.stopping() {
                token.cancel();
            }
            token
        })
        .child_token()
}

#[cfg(feature = "miette")]
impl miette::Diagnostic for crate::Shutdown {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new("graceful::shutdown"))
    }
}
