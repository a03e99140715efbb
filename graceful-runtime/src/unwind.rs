//! Unwinding payloads: `exit()`'s, and the care a panic's payload needs. A leaf.
//!
//! A payload is a user's value (`panic_any(anything)`), so dropping it runs a user's `Drop`,
//! which may panic too. Every payload graceful catches is dropped through `drop_payload`, so
//! that such a panic is caught as well; the second payload is leaked rather than dropped, since
//! dropping it could start the same thing over.

use std::{
    any::Any,
    panic::{AssertUnwindSafe, catch_unwind},
};

/// The unwinding payload of [`exit`](crate::exit): not a panic, so no message is printed.
pub(crate) struct ExitPayload(pub(crate) i32);

/// Drop a caught payload, containing a panic in its `Drop`.
pub(crate) fn drop_payload(payload: Box<dyn Any + Send>) {
    if let Err(again) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(again);
    }
}

/// A panic's message, for the report.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_owned()
    }
}

/// Run `f`, catching a panic; the payload is dropped with care and `None` returned.
pub(crate) fn contained<T>(f: impl FnOnce() -> T) -> Option<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => Some(v),
        Err(payload) => {
            drop_payload(payload);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Bomb;
    impl Drop for Bomb {
        fn drop(&mut self) {
            panic!("dropped");
        }
    }

    #[test]
    fn a_payload_that_panics_when_dropped_is_contained() {
        assert_eq!(contained(|| -> u8 { std::panic::panic_any(Bomb) }), None);
        assert_eq!(contained(|| 7), Some(7));
    }
}
