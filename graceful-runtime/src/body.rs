//! The body of `main`, as the runtime keeps track of it: which thread runs it, whether it is a
//! future, how it ended, and the unwinding payload of `exit()`.
//!
//! Layer 4: it imports the model types and the state machine.

use std::{
    any::Any,
    cell::Cell,
    sync::{
        Mutex, PoisonError,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
};

use crate::{
    main_end::MainEnd,
    state::{Body, STATE},
    unwind::{ExitPayload, drop_payload, panic_message},
};

thread_local! {
    static IS_BODY: Cell<bool> = const { Cell::new(false) };
    /// `exit(code)` is unwinding this thread (so the guard can tell it from a panic).
    static EXIT_UNWIND: Cell<Option<i32>> = const { Cell::new(None) };
}

/// The body is a future: at `body_timeout` it is dropped, not abandoned.
static IS_ASYNC: AtomicBool = AtomicBool::new(false);
/// How the body ended, kept for the exit-code table.
static END: Mutex<Option<MainEnd>> = Mutex::new(None);

/// The body starts on this thread.
pub(crate) fn enter(is_async: bool) {
    IS_ASYNC.store(is_async, Ordering::Release);
    IS_BODY.with(|b| b.set(true));
    STATE.body_started();
}

/// The body left this thread (returned, panicked, or was dropped).
pub(crate) fn leave() {
    IS_BODY.with(|b| b.set(false));
}

/// `true` on the thread running the body of main.
pub(crate) fn is_body_thread() -> bool {
    IS_BODY.with(Cell::get)
}

pub(crate) fn is_async() -> bool {
    IS_ASYNC.load(Ordering::Acquire)
}

pub(crate) fn note_exit_unwind(code: i32) {
    EXIT_UNWIND.with(|c| c.set(Some(code)));
}

/// The code of the `exit()` unwinding this thread, if one is.
pub(crate) fn take_exit_unwind() -> Option<i32> {
    EXIT_UNWIND.with(Cell::take)
}

/// The first `exit(code)` that unwound a thread other than the body's: 0, or `1 << 32 | code`.
static OTHER_EXIT: AtomicU64 = AtomicU64::new(0);

/// `exit(code)` is unwinding a thread other than the body's.
pub(crate) fn note_other_exit(code: i32) {
    let _ = OTHER_EXIT.compare_exchange(
        0,
        1 << 32 | code as u32 as u64,
        Ordering::AcqRel,
        Ordering::Acquire,
    );
}

/// How a body that unwound ended: `exit(code)`, or a panic. A panic that has the shape of an
/// unwind come back from another thread (`std::thread::scope`'s "a scoped thread panicked",
/// an `unwrap` of a join's `Err(Any { .. })` or of tokio's `JoinError::Panic`), after an
/// `exit()` unwound another thread, is that exit; any other panic is a panic. The payload is
/// dropped with care.
pub(crate) fn unwound(payload: Box<dyn Any + Send>) -> MainEnd {
    match payload.downcast::<ExitPayload>() {
        Ok(exit) => MainEnd::Exited(exit.0),
        Err(payload) => {
            let message = panic_message(&*payload);
            drop_payload(payload);
            let came_back = message == "a scoped thread panicked"
                || message.contains("Any { .. }")
                || message.contains("JoinError::Panic");
            match OTHER_EXIT.load(Ordering::Acquire) {
                raw if raw != 0 && came_back => MainEnd::PanickedAfterExit(raw as u32 as i32),
                _ => MainEnd::Panicked,
            }
        }
    }
}

/// Keep how the body ended, for the table.
pub(crate) fn keep_end(end: &MainEnd) {
    *END.lock().unwrap_or_else(PoisonError::into_inner) = Some(end.clone());
}

/// How the body ended, as far as the runtime knows.
pub(crate) fn end() -> MainEnd {
    match STATE.body() {
        Body::Abandoned => MainEnd::Abandoned,
        _ => END
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .unwrap_or(MainEnd::Ok),
    }
}
