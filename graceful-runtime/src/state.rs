//! The state machine: Running → (Draining) → Stopping → Cleanup → Exiting, as lock-free atomics.
//!
//! Every transition is one compare-and-swap, so the signal handler can take part (`begin`,
//! `begin_drain`, `note_signal`, `is_duplicate`) and the races the contract names (a signal while
//! main returns, a storm of signals, `exit()` from a hook) resolve to exactly one winner per
//! step. The process has one [`STATE`]; unit tests make their own.
//!
//! Layer 9: it imports only the leaves (`Reason`, `Signal`, the clock).

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU8, AtomicU32, AtomicU64, Ordering};

use crate::{Reason, Signal, Work, clock, shutdown::Failure};

/// How soon a repeat of the first signal, from the same sender, counts as the same request.
pub(crate) const DUPLICATE_WINDOW_NS: u64 = 100_000_000;

/// Where the body of `main` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Body {
    /// No body is supervised: graceful was not installed.
    Absent = 0,
    Running = 1,
    Ended = 2,
    /// Still running at `body_timeout` (or main returned but work it holds is still in
    /// flight); the hooks went on without it.
    Abandoned = 3,
    /// main returned; its thread waits for the work in flight (holds) to end.
    Returned = 4,
}

/// The process-wide state.
pub(crate) struct State {
    /// 0 while running; otherwise the first cause of stopping, encoded by `encode`.
    reason: AtomicU64,
    /// When Stopping began, on `clock::now_ns`.
    stop_at: AtomicU64,
    /// Signals received so far that were not duplicates, and the number of the latest.
    signals: AtomicU32,
    last_signal: AtomicI32,
    /// The first signal (`1 << 63 | signo << 32 | sender`) and when it came, to recognise its
    /// duplicates; how many came.
    first_signal: AtomicU64,
    first_at: AtomicU64,
    duplicates: AtomicU32,
    /// The first `exit(code)` requested: 0 for none, else `1 << 32 | code`.
    exit_request: AtomicU64,
    /// Under `panic = "abort"`, `exit()` parked a thread that could not unwind.
    exit_parked: AtomicBool,
    body: AtomicU8,
    /// The configured drain (ns; 0 for none), when draining began (0: it did not), and the
    /// signal that began it.
    drain_ns: AtomicU64,
    drain_at: AtomicU64,
    drain_signal: AtomicI32,
    /// Somebody claimed the hooks.
    cleanup: AtomicBool,
    /// The exit: 0 until claimed, then `1 << 32 | code`, the code the process ends with should
    /// the exit get stuck (a stderr nobody reads); when it was claimed.
    exit: AtomicU64,
    exit_at: AtomicU64,
    /// The install guard ran the hooks and handed the process back to `main`.
    handed_back: AtomicBool,
    /// A hook failed (`Err`, panic, past its timeout).
    hook_failed: AtomicBool,
    /// The worst end of work graceful ran: 0 none, 1 an `Err`, 2 a panic.
    work_failed: AtomicU8,
    /// The program has asked, since Stopping began, whether to stop (and was told so).
    asked: AtomicBool,
    /// graceful is installed in this process; this process is a child forked after that.
    installed: AtomicBool,
    forked: AtomicBool,
}

/// The process's state.
pub(crate) static STATE: State = State::new();

fn encode(reason: Reason) -> u64 {
    let (kind, payload): (u64, u32) = match reason {
        Reason::Signal(s) => (1, s.as_raw() as u32),
        Reason::Trigger => (2, 0),
        Reason::Exit(code) => (3, code as u32),
        Reason::Panic => (4, 0),
        Reason::MainReturned => (5, 0),
        Reason::Failed(work) => (6, work.raw()),
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
        6 => Reason::Failed(Work::from_raw(payload)),
        _ => return None,
    })
}

fn tagged(code: i32) -> u64 {
    1 << 32 | code as u32 as u64
}

fn untagged(raw: u64) -> Option<i32> {
    (raw != 0).then_some(raw as u32 as i32)
}

impl State {
    pub(crate) const fn new() -> State {
        State {
            reason: AtomicU64::new(0),
            stop_at: AtomicU64::new(0),
            signals: AtomicU32::new(0),
            last_signal: AtomicI32::new(0),
            first_signal: AtomicU64::new(0),
            first_at: AtomicU64::new(0),
            duplicates: AtomicU32::new(0),
            exit_request: AtomicU64::new(0),
            exit_parked: AtomicBool::new(false),
            body: AtomicU8::new(Body::Absent as u8),
            drain_ns: AtomicU64::new(0),
            drain_at: AtomicU64::new(0),
            drain_signal: AtomicI32::new(0),
            cleanup: AtomicBool::new(false),
            exit: AtomicU64::new(0),
            exit_at: AtomicU64::new(0),
            handed_back: AtomicBool::new(false),
            hook_failed: AtomicBool::new(false),
            work_failed: AtomicU8::new(0),
            asked: AtomicBool::new(false),
            installed: AtomicBool::new(false),
            forked: AtomicBool::new(false),
        }
    }

    /// The first cause of stopping, or `None` while running. One atomic load.
    #[inline]
    pub(crate) fn reason(&self) -> Option<Reason> {
        decode(self.reason.load(Ordering::Acquire))
    }

    /// `true` once stopping has begun. One atomic load.
    #[inline]
    pub(crate) fn stopping(&self) -> bool {
        self.reason.load(Ordering::Acquire) != 0
    }

    /// Enter Stopping for `reason`; `true` for the one caller that did. Async-signal-safe.
    pub(crate) fn begin(&self, reason: Reason) -> bool {
        let now = clock::now_ns();
        let won = self
            .reason
            .compare_exchange(0, encode(reason), Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        if won {
            self.stop_at.store(now, Ordering::Release);
        }
        won
    }

    /// When Stopping began (`clock::now_ns`), once it has.
    pub(crate) fn stop_at(&self) -> Option<u64> {
        match self.stop_at.load(Ordering::Acquire) {
            // The winner of `begin` stores the time a moment after the reason.
            0 if self.stopping() => Some(clock::now_ns()),
            0 => None,
            t => Some(t),
        }
    }

    /// Set the drain before the handlers are installed.
    pub(crate) fn set_drain(&self, ns: u64) {
        self.drain_ns.store(ns, Ordering::Release);
    }

    /// A signal arrived: drain first, if a drain is configured and nothing else began. `true`
    /// when the signal is the drain's business (it began the drain, or arrived during it)
    /// rather than a cause of stopping; the second value is `true` for the call that began it.
    /// Async-signal-safe.
    pub(crate) fn begin_drain(&self, signal: Signal) -> (bool, bool) {
        if self.drain_ns.load(Ordering::Acquire) == 0 || self.stopping() {
            return (false, false);
        }
        let now = clock::now_ns();
        let began = self
            .drain_at
            .compare_exchange(0, now, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        if began {
            self.drain_signal.store(signal.as_raw(), Ordering::Release);
        }
        (true, began)
    }

    /// When draining began and the signal that began it, if it did.
    pub(crate) fn draining(&self) -> Option<(u64, Signal)> {
        match self.drain_at.load(Ordering::Acquire) {
            0 => None,
            at => Some((
                at,
                Signal::from_raw(self.drain_signal.load(Ordering::Acquire))?,
            )),
        }
    }

    /// `false` from the first signal (or any other cause of stopping) on.
    pub(crate) fn ready(&self) -> bool {
        self.drain_at.load(Ordering::Acquire) == 0 && !self.stopping()
    }

    /// Where the deadline counts from: the start of draining, else of Stopping.
    pub(crate) fn deadline_base(&self) -> Option<u64> {
        match self.drain_at.load(Ordering::Acquire) {
            0 => self.stop_at(),
            at => Some(at),
        }
    }

    /// Count a signal that is not a duplicate; returns how many came before it.
    /// Async-signal-safe.
    pub(crate) fn note_signal(&self, raw: i32) -> u32 {
        self.last_signal.store(raw, Ordering::Release);
        self.signals.fetch_add(1, Ordering::AcqRel)
    }

    /// Whether this signal repeats the first one: the same signal from the same sender within
    /// `DUPLICATE_WINDOW_NS`. The first signal claims the slot in one compare-and-swap, so two
    /// signals handled at once on two threads still agree which came first. Counts duplicates.
    /// Async-signal-safe.
    pub(crate) fn is_duplicate(&self, signal: Signal, sender: i32) -> bool {
        let now = clock::now_ns();
        let id = 1 << 63 | (signal.as_raw() as u64) << 32 | sender as u32 as u64;
        let duplicate =
            match self
                .first_signal
                .compare_exchange(0, id, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => {
                    self.first_at.store(now, Ordering::Release);
                    false
                }
                Err(first) => {
                    // 0: the first signal's handler has not stored its time yet: it is now.
                    let at = self.first_at.load(Ordering::Acquire);
                    first == id && (at == 0 || now.saturating_sub(at) < DUPLICATE_WINDOW_NS)
                }
            };
        if duplicate {
            self.duplicates.fetch_add(1, Ordering::AcqRel);
        }
        duplicate
    }

    /// Duplicates of the first signal received so far.
    pub(crate) fn duplicates(&self) -> u32 {
        self.duplicates.load(Ordering::Acquire)
    }

    /// Signals received so far (duplicates aside) and the latest one.
    pub(crate) fn signals(&self) -> (u32, Option<Signal>) {
        let n = self.signals.load(Ordering::Acquire);
        (
            n,
            Signal::from_raw(self.last_signal.load(Ordering::Acquire)),
        )
    }

    /// Record `exit(code)`; the first request wins.
    pub(crate) fn request_exit(&self, code: i32) {
        let _ = self.exit_request.compare_exchange(
            0,
            tagged(code),
            Ordering::AcqRel,
            Ordering::Acquire,
        );
    }

    /// Under `panic = "abort"`: `exit()` parked its thread, which could not unwind (a thread the
    /// body may be waiting for).
    pub(crate) fn note_exit_parked(&self) {
        self.exit_parked.store(true, Ordering::Release);
    }

    pub(crate) fn exit_parked(&self) -> bool {
        self.exit_parked.load(Ordering::Acquire)
    }

    /// The first `exit(code)` requested, if any.
    pub(crate) fn exit_request(&self) -> Option<i32> {
        untagged(self.exit_request.load(Ordering::Acquire))
    }

    pub(crate) fn body(&self) -> Body {
        match self.body.load(Ordering::Acquire) {
            1 => Body::Running,
            2 => Body::Ended,
            3 => Body::Abandoned,
            4 => Body::Returned,
            _ => Body::Absent,
        }
    }

    pub(crate) fn body_started(&self) {
        self.body.store(Body::Running as u8, Ordering::Release);
    }

    /// Move the body from `from` to `to`; `false` when it was elsewhere.
    fn body_moves(&self, from: Body, to: Body) -> bool {
        self.body
            .compare_exchange(from as u8, to as u8, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// Leave a body running or returned for `to`: the state it left, or `None` when it was
    /// in neither.
    fn body_leaves(&self, to: Body) -> Option<Body> {
        [Body::Running, Body::Returned]
            .into_iter()
            .find(|&from| self.body_moves(from, to))
    }

    /// main returned: its thread now waits for the holds. `false` when it was abandoned.
    pub(crate) fn body_returned(&self) -> bool {
        self.body_moves(Body::Running, Body::Returned)
    }

    /// main returned and nothing holds the stop any more (Returned → Ended); `false` when it
    /// was abandoned (or never returned).
    pub(crate) fn body_released(&self) -> bool {
        self.body_moves(Body::Returned, Body::Ended)
    }

    /// Abandon a body still running, or returned with work still held: the state it was in,
    /// `None` when it ended first.
    pub(crate) fn abandon_body(&self) -> Option<Body> {
        self.body_leaves(Body::Abandoned)
    }

    /// `true` for the one caller that runs the hooks.
    pub(crate) fn claim_cleanup(&self) -> bool {
        !self.cleanup.swap(true, Ordering::AcqRel)
    }

    /// Whether someone claimed the hooks.
    pub(crate) fn cleanup_claimed(&self) -> bool {
        self.cleanup.load(Ordering::Acquire)
    }

    /// `true` for the one caller that ends the process with `code`; the others must never
    /// return (or, for the install guard, leave the process alone).
    pub(crate) fn claim_exit(&self, code: i32) -> bool {
        let won = self
            .exit
            .compare_exchange(0, tagged(code), Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        if won {
            self.exit_at.store(clock::now_ns(), Ordering::Release);
        }
        won
    }

    /// The exit claimed so far: its code and when it was claimed.
    pub(crate) fn exit_claimed(&self) -> Option<(i32, u64)> {
        let code = untagged(self.exit.load(Ordering::Acquire))?;
        Some((code, self.exit_at.load(Ordering::Acquire)))
    }

    /// The install guard handed the process back to `main`: graceful no longer ends it on its
    /// own, but for a second signal.
    pub(crate) fn hand_back(&self) {
        self.handed_back.store(true, Ordering::Release);
    }

    pub(crate) fn handed_back(&self) -> bool {
        self.handed_back.load(Ordering::Acquire)
    }

    /// The program asked whether to stop and was told it is stopping (`check`, `sleep`,
    /// `wait`, `wait_timeout`, `shutdown()`; not `is_shutting_down`, which stays one load): a
    /// load, and a store the first time only.
    #[inline]
    pub(crate) fn note_asked(&self) {
        if !self.asked.load(Ordering::Relaxed) {
            self.asked.store(true, Ordering::Relaxed);
        }
    }

    /// Whether the program has heard that it is stopping.
    pub(crate) fn asked(&self) -> bool {
        self.asked.load(Ordering::Relaxed)
    }

    /// Work graceful ran failed.
    pub(crate) fn note_work_failed(&self, how: Failure) {
        let level = match how {
            Failure::Err => 1,
            Failure::Panic => 2,
        };
        self.work_failed.fetch_max(level, Ordering::AcqRel);
    }

    /// The worst end of work graceful ran, if any failed.
    pub(crate) fn work_failed(&self) -> Option<Failure> {
        match self.work_failed.load(Ordering::Acquire) {
            0 => None,
            1 => Some(Failure::Err),
            _ => Some(Failure::Panic),
        }
    }

    pub(crate) fn note_hook_failed(&self) {
        self.hook_failed.store(true, Ordering::Release);
    }

    pub(crate) fn hook_failed(&self) -> bool {
        self.hook_failed.load(Ordering::Acquire)
    }

    /// `true` for the one caller that installs graceful.
    pub(crate) fn install(&self) -> bool {
        !self.installed.swap(true, Ordering::AcqRel)
    }

    /// graceful supervises this process: installed, and not a child forked since.
    pub(crate) fn supervised(&self) -> bool {
        self.installed.load(Ordering::Acquire) && !self.forked()
    }

    /// This process is a child forked after graceful was installed. Async-signal-safe (the
    /// child of a fork may only do such things). Windows has no fork.
    #[cfg_attr(windows, allow(dead_code))]
    pub(crate) fn mark_forked(&self) {
        self.forked.store(true, Ordering::Release);
    }

    pub(crate) fn forked(&self) -> bool {
        self.forked.load(Ordering::Acquire)
    }
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

    #[test]
    fn the_first_cause_wins_and_stamps_the_time() {
        let s = State::new();
        assert!(!s.stopping() && s.stop_at().is_none());
        assert!(s.begin(Reason::Trigger));
        assert!(!s.begin(Reason::Signal(Signal::SIGTERM)));
        assert_eq!(s.reason(), Some(Reason::Trigger));
        assert!(s.stop_at().is_some());
    }

    #[test]
    fn a_repeat_from_the_same_sender_at_once_is_a_duplicate() {
        let s = State::new();
        assert!(!s.is_duplicate(Signal::SIGTERM, 42));
        assert!(s.is_duplicate(Signal::SIGTERM, 42));
        assert!(!s.is_duplicate(Signal::SIGTERM, 43));
        assert!(!s.is_duplicate(Signal::SIGINT, 42));
        assert_eq!(s.duplicates(), 1);
    }

    #[test]
    fn a_drain_only_starts_when_configured_and_counts_the_deadline_from_it() {
        let s = State::new();
        assert_eq!(s.begin_drain(Signal::SIGTERM), (false, false));
        s.set_drain(1);
        assert_eq!(s.begin_drain(Signal::SIGTERM), (true, true));
        assert_eq!(s.begin_drain(Signal::SIGTERM), (true, false));
        assert!(!s.ready());
        let (at, signal) = s.draining().unwrap();
        assert_eq!(signal, Signal::SIGTERM);
        s.begin(Reason::Signal(Signal::SIGTERM));
        assert_eq!(s.deadline_base(), Some(at));
        assert_eq!(s.begin_drain(Signal::SIGINT), (false, false));
    }

    #[test]
    fn the_body_ends_or_is_abandoned_never_both() {
        let s = State::new();
        s.body_started();
        assert_eq!(s.abandon_body(), Some(Body::Running));
        assert!(!s.body_returned() && !s.body_released());
        assert_eq!(s.body(), Body::Abandoned);
        // main returned, waiting for holds: abandoned from there, or ended.
        let s = State::new();
        s.body_started();
        assert!(s.body_returned());
        assert_eq!(s.body(), Body::Returned);
        assert_eq!(s.abandon_body(), Some(Body::Returned));
        assert!(!s.body_released() && !s.body_returned());
        let s = State::new();
        s.body_started();
        assert!(!s.body_released(), "only a body that returned is released");
        assert!(s.body_returned() && s.body_released());
        assert_eq!(s.abandon_body(), None);
    }

    #[test]
    fn the_worst_work_failure_is_kept() {
        let s = State::new();
        assert_eq!(s.work_failed(), None);
        s.note_work_failed(Failure::Panic);
        s.note_work_failed(Failure::Err);
        assert_eq!(s.work_failed(), Some(Failure::Panic));
    }

    #[test]
    fn one_exit_one_cleanup_and_the_first_exit_request() {
        let s = State::new();
        assert!(s.claim_cleanup() && !s.claim_cleanup());
        assert!(s.claim_exit(3) && !s.claim_exit(0));
        assert_eq!(s.exit_claimed().map(|(c, _)| c), Some(3));
        s.request_exit(0);
        s.request_exit(5);
        assert_eq!(s.exit_request(), Some(0));
    }

    #[test]
    fn a_forked_child_is_not_supervised() {
        let s = State::new();
        assert!(s.install() && !s.install());
        assert!(s.supervised());
        s.mark_forked();
        assert!(!s.supervised());
    }
}
