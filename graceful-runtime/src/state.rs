//! The shutdown state machine: Running → Stopping → Cleanup → exit.
//!
//! Every transition is one compare-and-swap on a lock-free atomic, so the signal handler can take
//! part (`begin`, `note_signal`) and the races the contract names (a signal while main returns,
//! a storm of signals, `exit()` from a hook) resolve to exactly one winner per step.

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU8, AtomicU32, AtomicU64, Ordering};

use crate::{Reason, Signal, clock};

/// 0 while running; otherwise the first cause of stopping, encoded by `encode`.
static REASON: AtomicU64 = AtomicU64::new(0);
/// When Stopping began, on `clock::now_ns`.
static STOP_AT: AtomicU64 = AtomicU64::new(0);
/// Configured signals received so far, and the number of the latest.
static SIGNALS: AtomicU32 = AtomicU32::new(0);
static LAST_SIGNAL: AtomicI32 = AtomicI32::new(0);
/// The first signal (`1 << 63 | signo << 32 | sender`) and when it came, to recognise its
/// duplicates; how many came.
static FIRST_SIGNAL: AtomicU64 = AtomicU64::new(0);
static FIRST_AT: AtomicU64 = AtomicU64::new(0);
static DUPLICATES: AtomicU32 = AtomicU32::new(0);
/// The first `exit(code)` requested: 0 for none, else `1 << 32 | code`.
static EXIT_REQUEST: AtomicU64 = AtomicU64::new(0);
/// The body of main: see `Body`.
static BODY: AtomicU8 = AtomicU8::new(Body::Absent as u8);
/// The configured drain (ns; 0 for none), when draining began (0: it did not), and the signal
/// that began it.
static DRAIN_NS: AtomicU64 = AtomicU64::new(0);
static DRAIN_AT: AtomicU64 = AtomicU64::new(0);
static DRAIN_SIGNAL: AtomicI32 = AtomicI32::new(0);
/// Who runs the hooks; who exits the process.
static CLEANUP: AtomicBool = AtomicBool::new(false);
static EXITING: AtomicBool = AtomicBool::new(false);

fn encode(reason: Reason) -> u64 {
    let (kind, payload): (u64, u32) = match reason {
        Reason::Signal(s) => (1, s.as_raw() as u32),
        Reason::Trigger => (2, 0),
        Reason::Exit(code) => (3, code as u32),
        Reason::Panic => (4, 0),
        Reason::MainReturned => (5, 0),
    };
    kind << 32 | payload as u64
}

fn decode(raw: u64) -> Option<Reason> {
    let payload = raw as u32;
    Some(match raw >> 32 {
        1 => Reason::Signal(Signal::from_raw(payload as i32)?),
        2 => Reason::Trigger,
        3 => Reason::Exit(payload as i32),
        4 => Reason::Panic,
        5 => Reason::MainReturned,
        _ => return None,
    })
}

/// The first cause of stopping, or `None` while running. One atomic load.
#[inline]
pub(crate) fn reason() -> Option<Reason> {
    decode(REASON.load(Ordering::Acquire))
}

/// `true` once stopping has begun. One atomic load.
#[inline]
pub(crate) fn stopping() -> bool {
    REASON.load(Ordering::Acquire) != 0
}

/// Enter Stopping for `reason`; `true` for the one caller that did. Async-signal-safe.
pub(crate) fn begin(reason: Reason) -> bool {
    let now = clock::now_ns();
    let won = REASON
        .compare_exchange(0, encode(reason), Ordering::AcqRel, Ordering::Acquire)
        .is_ok();
    if won {
        STOP_AT.store(now, Ordering::Release);
    }
    won
}

/// Set the drain before the handlers are installed.
pub(crate) fn set_drain(ns: u64) {
    DRAIN_NS.store(ns, Ordering::Release);
}

/// A signal arrived: drain first, if a drain is configured and nothing else began. `true`
/// when the signal is the drain's business (it began the drain, or arrived during it) rather
/// than a cause of stopping. Async-signal-safe.
pub(crate) fn begin_drain(signal: Signal) -> bool {
    if DRAIN_NS.load(Ordering::Acquire) == 0 || stopping() {
        return false;
    }
    let now = clock::now_ns();
    if DRAIN_AT
        .compare_exchange(0, now, Ordering::AcqRel, Ordering::Acquire)
        .is_ok()
    {
        DRAIN_SIGNAL.store(signal.as_raw(), Ordering::Release);
    }
    true
}

/// When draining began and the signal that began it, if it did.
pub(crate) fn draining() -> Option<(u64, Signal)> {
    match DRAIN_AT.load(Ordering::Acquire) {
        0 => None,
        at => Some((at, Signal::from_raw(DRAIN_SIGNAL.load(Ordering::Acquire))?)),
    }
}

/// `false` from the first signal (or any other cause of stopping) on.
pub(crate) fn ready() -> bool {
    DRAIN_AT.load(Ordering::Acquire) == 0 && !stopping()
}

/// Where the deadline counts from: the start of draining, else of Stopping.
pub(crate) fn deadline_base() -> Option<u64> {
    match DRAIN_AT.load(Ordering::Acquire) {
        0 => stop_at(),
        at => Some(at),
    }
}

/// When Stopping began (`clock::now_ns`), once it has.
pub(crate) fn stop_at() -> Option<u64> {
    match STOP_AT.load(Ordering::Acquire) {
        0 if stopping() => Some(clock::now_ns()),
        0 => None,
        t => Some(t),
    }
}

/// How soon a repeat of the first signal, from the same sender, counts as the same request.
pub(crate) const DUPLICATE_WINDOW_NS: u64 = 100_000_000;

/// Count a signal; returns how many came before it. Async-signal-safe.
pub(crate) fn note_signal(raw: i32) -> u32 {
    LAST_SIGNAL.store(raw, Ordering::Release);
    SIGNALS.fetch_add(1, Ordering::AcqRel)
}

/// Whether this signal repeats the first one: the same signal from the same sender within
/// `DUPLICATE_WINDOW_NS`. The first signal claims the slot in one compare-and-swap, so two
/// signals handled at once on two threads still agree which came first. Counts duplicates.
/// Async-signal-safe.
pub(crate) fn is_duplicate(signal: Signal, sender: i32) -> bool {
    let now = clock::now_ns();
    let id = 1 << 63 | (signal.as_raw() as u64) << 32 | sender as u32 as u64;
    let duplicate = match FIRST_SIGNAL.compare_exchange(0, id, Ordering::AcqRel, Ordering::Acquire)
    {
        Ok(_) => {
            FIRST_AT.store(now, Ordering::Release);
            false
        }
        Err(first) => {
            // 0: the first signal's handler has not stored its time yet, so it is just now.
            let at = FIRST_AT.load(Ordering::Acquire);
            first == id && (at == 0 || now.saturating_sub(at) < DUPLICATE_WINDOW_NS)
        }
    };
    if duplicate {
        DUPLICATES.fetch_add(1, Ordering::AcqRel);
    }
    duplicate
}

/// Duplicates of the first signal received so far.
pub(crate) fn duplicates() -> u32 {
    DUPLICATES.load(Ordering::Acquire)
}

/// Signals received so far and the latest one.
pub(crate) fn signals() -> (u32, Option<Signal>) {
    let n = SIGNALS.load(Ordering::Acquire);
    (n, Signal::from_raw(LAST_SIGNAL.load(Ordering::Acquire)))
}

/// Record `exit(code)`; the first request wins.
pub(crate) fn request_exit(code: i32) {
    let _ = EXIT_REQUEST.compare_exchange(
        0,
        1 << 32 | code as u32 as u64,
        Ordering::AcqRel,
        Ordering::Acquire,
    );
}

/// The first `exit(code)` requested, if any.
pub(crate) fn exit_request() -> Option<i32> {
    match EXIT_REQUEST.load(Ordering::Acquire) {
        0 => None,
        raw => Some(raw as u32 as i32),
    }
}

/// Where the body of `main` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Body {
    /// No body is supervised: graceful was not installed.
    Absent = 0,
    Running = 1,
    Ended = 2,
    /// Still running at `body_timeout`; the hooks went on without it.
    Abandoned = 3,
}

pub(crate) fn body() -> Body {
    match BODY.load(Ordering::Acquire) {
        1 => Body::Running,
        2 => Body::Ended,
        3 => Body::Abandoned,
        _ => Body::Absent,
    }
}

pub(crate) fn body_started() {
    BODY.store(Body::Running as u8, Ordering::Release);
}

fn body_leaves(to: Body) -> bool {
    BODY.compare_exchange(
        Body::Running as u8,
        to as u8,
        Ordering::AcqRel,
        Ordering::Acquire,
    )
    .is_ok()
}

/// The body returned; `false` when it was already abandoned.
pub(crate) fn body_ended() -> bool {
    body_leaves(Body::Ended)
}

/// Abandon a body still running; `false` when it returned first.
pub(crate) fn abandon_body() -> bool {
    body_leaves(Body::Abandoned)
}

/// `true` for the one caller that runs the hooks.
pub(crate) fn claim_cleanup() -> bool {
    !CLEANUP.swap(true, Ordering::AcqRel)
}

/// Whether someone claimed the hooks.
pub(crate) fn cleanup_claimed() -> bool {
    CLEANUP.load(Ordering::Acquire)
}

/// `true` for the one caller that ends the process; the others must never return.
pub(crate) fn claim_exit() -> bool {
    !EXITING.swap(true, Ordering::AcqRel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_survive_encoding() {
        for r in [
            Reason::Signal(Signal::SIGTERM),
            Reason::Signal(Signal::SIGQUIT),
            Reason::Trigger,
            Reason::Exit(-1),
            Reason::Exit(300),
            Reason::Panic,
            Reason::MainReturned,
        ] {
            assert_eq!(decode(encode(r)), Some(r));
        }
        assert_eq!(decode(0), None);
    }
}
