//! Stopping and waking: [`stop`], the words graceful's threads sleep on, and the wakers of the
//! futures that wait for the stop.
//!
//! | word | who sleeps on it | bumped by |
//! | --- | --- | --- |
//! | `LATCH` | every thread in `sleep`, `wait`, `wait_timeout` | the start of Stopping, once |
//! | `DOG` | the watchdog | signals after the first, `stop()`, a hook with a timeout starting |
//! | `REPORTER` | the reporter | `stop()`, the watchdog, the runner when the report has work |
//! | `HOLDS` | the body's thread, main returned, waiting for the holds | the last hold released while stopping, the watchdog abandoning the wait |
//! | `ACTIONS` | the actions' thread | an action's signal (with its flag in `ACTION_DUE` raised first) |
//!
//! Wakers are user code (an executor's): they are called by the reporter once Stopping began,
//! or on request (an async body abandoned, an async hook cancelled), never by the watchdog and
//! never in signal context. The handler only reads whether any future waits.
//!
//! Layer 7: it imports the platform, the state machine and the leaves.

use std::{
    io,
    sync::{
        Mutex, MutexGuard, PoisonError,
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    },
    task::Waker,
    time::Duration,
};

use crate::{
    Reason, clock,
    state::STATE,
    sys::{Waited, Word},
    unwind::contained,
};

/// Bumped once, when Stopping begins.
pub(crate) static LATCH: Word = Word::broadcast();
/// The watchdog's word.
pub(crate) static DOG: Word = Word::new();
/// The reporter's word.
pub(crate) static REPORTER: Word = Word::new();
/// The word main's thread waits on for the holds.
pub(crate) static HOLDS: Word = Word::new();
/// The actions' thread's word.
pub(crate) static ACTIONS: Word = Word::new();
/// An action's signal arrived and its actions have not run since: one flag per signal of
/// [`Signal::ACTIONS`](crate::Signal::ACTIONS), in its order. Raised by the handler, lowered
/// by the actions' thread just before it runs them, so repeats meanwhile make one more run.
pub(crate) static ACTION_DUE: [AtomicBool; 3] = [const { AtomicBool::new(false) }; 3];

/// When the watchdog looks next (clock ns), so that a hook with a timeout wakes it only when
/// it would look too late.
static DOG_NEXT: AtomicU64 = AtomicU64::new(u64::MAX);

/// The watchdog's: it looks next at `at` (`None`: only when woken).
pub(crate) fn dog_sleeps_until(at: Option<u64>) {
    DOG_NEXT.store(at.unwrap_or(u64::MAX), Ordering::Release);
}

/// Something is due at `at` (a hook's timeout): wake the watchdog if it would look later.
pub(crate) fn wake_dog_by(at: u64) {
    if at < DOG_NEXT.load(Ordering::Acquire) {
        DOG.wake();
    }
}

/// Open what the words need (pipes or events, where they are not futexes).
pub(crate) fn init_words() -> io::Result<()> {
    LATCH.init()?;
    DOG.init()?;
    REPORTER.init()?;
    HOLDS.init()
}

/// Enter Stopping from ordinary code (not the signal handler); `true` if this call did.
/// Wakes every thread in `sleep` and `wait`, the watchdog and the reporter, which calls the
/// futures' wakers. Where nothing supervises the process (graceful not installed), the wakers
/// are called here.
pub(crate) fn stop(reason: Reason) -> bool {
    let won = STATE.begin(reason);
    if won {
        LATCH.wake();
        DOG.wake();
        if STATE.supervised() {
            REPORTER.wake();
        } else {
            wake_futures();
        }
    }
    won
}

/// Block until Stopping begins or `timeout` passes; `true` once stopping.
pub(crate) fn wait_for_stop(timeout: Option<Duration>) -> bool {
    let deadline = timeout.map(|t| clock::now_ns().saturating_add(clock::ns(t)));
    loop {
        let seen = LATCH.seq();
        if STATE.stopping() {
            return true;
        }
        if LATCH.wait(seen, deadline) == Waited::TimedOut {
            return STATE.stopping();
        }
    }
}

/// The kept wakers, by id (ids are given under the lock, so the list stays in order), so that
/// each of many futures (one per connection, say) finds its own by binary search; a forgotten
/// one leaves a tombstone, swept when half are.
struct Wakers {
    all: Vec<(u64, Option<Waker>)>,
    dead: usize,
}

impl Wakers {
    fn live(&self) -> usize {
        self.all.len() - self.dead
    }

    fn slot(&mut self, id: u64) -> Option<&mut Option<Waker>> {
        let at = self.all.binary_search_by_key(&id, |(i, _)| *i).ok()?;
        Some(&mut self.all[at].1)
    }
}

static WAKERS: Mutex<Wakers> = Mutex::new(Wakers {
    all: Vec::new(),
    dead: 0,
});
static NEXT_ID: AtomicU64 = AtomicU64::new(1);
/// How many futures wait, readable from the signal handler without the lock.
static WAITING: AtomicUsize = AtomicUsize::new(0);
/// The watchdog asked for the wakers to be called again.
static WAKE_REQUESTED: AtomicBool = AtomicBool::new(false);

fn wakers() -> MutexGuard<'static, Wakers> {
    WAKERS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Keep `waker` to be called when Stopping begins (or on request). `id` starts at 0 and is
/// given a slot on first use (and a new one once its waker was called or taken).
///
/// A waker's `clone` and `drop` are an executor's code: they run with the lock let go.
pub(crate) fn keep_waker(id: &mut u64, waker: &Waker) {
    let known = {
        let mut wakers = wakers();
        match wakers.slot(*id) {
            Some(Some(kept)) if kept.will_wake(waker) => return,
            Some(_) => true,
            None => false,
        }
    };
    let new = waker.clone();
    let old = {
        let mut wakers = wakers();
        let old = match wakers.slot(*id) {
            Some(slot) if known => slot.replace(new),
            _ => {
                // A fresh id, the largest so far: the list stays in order.
                *id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
                wakers.all.push((*id, Some(new)));
                None
            }
        };
        WAITING.store(wakers.live(), Ordering::Release);
        old
    };
    drop(old);
}

/// Forget the waker kept under `id` (dropped with the lock let go).
pub(crate) fn forget_waker(id: u64) {
    if id == 0 {
        return;
    }
    let removed = {
        let mut wakers = wakers();
        let removed = wakers.slot(id).and_then(Option::take);
        if removed.is_some() {
            wakers.dead += 1;
            if wakers.dead * 2 > wakers.all.len() {
                wakers.all.retain(|(_, w)| w.is_some());
                wakers.dead = 0;
            }
        }
        WAITING.store(wakers.live(), Ordering::Release);
        removed
    };
    drop(removed);
}

/// The reporter is to be woken by the first signal itself (a service manager waits for
/// `STOPPING=1`).
static REPORTER_AT_SIGNAL: AtomicBool = AtomicBool::new(false);

/// Have the first signal wake the reporter at once.
#[cfg_attr(not(all(unix, feature = "systemd")), allow(dead_code))]
pub(crate) fn wake_reporter_at_signal() {
    REPORTER_AT_SIGNAL.store(true, Ordering::Release);
}

/// Whether the first signal wakes the reporter: futures wait for it, or a service manager.
/// Atomic loads; async-signal-safe.
pub(crate) fn reporter_wanted_at_signal() -> bool {
    futures_waiting() || REPORTER_AT_SIGNAL.load(Ordering::Acquire)
}

/// Whether any future waits: the handler then wakes the reporter at once. One atomic load;
/// async-signal-safe.
pub(crate) fn futures_waiting() -> bool {
    WAITING.load(Ordering::Acquire) != 0
}

/// The wakers taken to be called, not yet called: shared, so that when a waker blocks the
/// reporter, the one that replaces it calls the rest.
static TO_CALL: Mutex<Vec<Waker>> = Mutex::new(Vec::new());

/// Call every kept waker (they are taken: a future that polls again keeps a new one), one at
/// a time from a shared list. User code: each call is isolated, and no lock is held while
/// one runs; one that blocks costs its own wake, not the others'.
pub(crate) fn wake_futures() {
    let taken = {
        let mut wakers = wakers();
        WAITING.store(0, Ordering::Release);
        wakers.dead = 0;
        std::mem::take(&mut wakers.all)
    };
    let mut to_call = TO_CALL.lock().unwrap_or_else(PoisonError::into_inner);
    to_call.extend(taken.into_iter().filter_map(|(_, w)| w));
    drop(to_call);
    loop {
        let next = TO_CALL.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let Some(waker) = next else {
            return;
        };
        // A panic, and a panic payload that panics when dropped, cost this waker alone.
        contained(|| waker.wake());
    }
}

/// The watchdog's request (an async body to drop, an async hook to cancel): the reporter
/// calls the wakers again.
pub(crate) fn request_wakes() {
    WAKE_REQUESTED.store(true, Ordering::Release);
    REPORTER.wake();
}

/// Whether the wakers are to be called again; clears the request.
pub(crate) fn take_wake_request() -> bool {
    WAKE_REQUESTED.swap(false, Ordering::AcqRel)
}
