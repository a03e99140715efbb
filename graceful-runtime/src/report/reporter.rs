//! The reporter: the thread that runs what the report owes the world but the safety net must
//! never run. It
//! - calls the wakers of the futures waiting for the stop (and again on the watchdog's request:
//!   an async body to drop, an async hook to cancel),
//! - writes the first line when it is woken first, and the lines nobody else writes (the
//!   watchdog's, and a batch of quick hooks),
//! - hands every event to the `log`/`tracing` sinks,
//! - tells systemd (`STOPPING=1`, then `EXTEND_TIMEOUT_USEC=` every second).
//!
//! It is started on first need, not at start-up: the first future that waits for the stop,
//! or the first work there is for it (the watchdog noticing the stop, an event for the sinks,
//! a batch, the last words). A thread started right after start-up costs a young process
//! microseconds on its first signal (`BENCHMARKS.md`), and most stops need no reporter before
//! the first hook; the first line is the runner's to write.
//!
//! All of that is user code or I/O that can block or panic. Each job is stamped while it runs;
//! one that takes longer than the watchdog's patience gets the reporter replaced
//! (`take_over`): a fresh thread, a new generation, carrying on after the job that stuck (whose
//! cursor moved before it ran). The old thread, if it ever returns, sees the new generation and
//! ends. A panic is caught where it happens and costs that job alone.

use std::{
    io,
    sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering},
    time::Duration,
};

use crate::{
    clock,
    state::STATE,
    stopping::{REPORTER, take_wake_request, wake_futures},
    unwind::contained,
};

static GENERATION: AtomicU32 = AtomicU32::new(0);
/// The first reporter was started.
static STARTED: AtomicBool = AtomicBool::new(false);
/// When the job under way began (clock ns); 0 when none is.
static BUSY_SINCE: AtomicU64 = AtomicU64::new(0);
/// The watchdog wants everything written at once (its last words).
static URGENT: AtomicBool = AtomicBool::new(false);

/// Start the reporter (generation 0) if it is not running yet.
pub(crate) fn ensure_started() {
    if !STARTED.load(Ordering::Acquire) && !STARTED.swap(true, Ordering::AcqRel) {
        // Without a thread there is no reporter: the runner and the exit still write the text.
        let _ = start(0);
    }
}

fn start(generation: u32) -> io::Result<()> {
    crate::sys::spawn("graceful-report", Box::new(move || run(generation)))
}

/// Give the reporter a look (starting it, the first time): cheap when it is awake (no system
/// call).
pub(crate) fn nudge() {
    ensure_started();
    REPORTER.wake();
}

/// The watchdog noticed the stop: the reporter has work if the build gives it some (sinks,
/// systemd); the text is the runner's and the exit's to write.
pub(crate) fn stop_noticed() {
    if super::sinks::ANY || cfg!(all(unix, feature = "systemd")) {
        nudge();
    }
}

/// The watchdog's request: write everything due, now.
pub(crate) fn write_urgently() {
    URGENT.store(true, Ordering::Release);
    nudge();
}

/// How long the job under way has taken; 0 when none is.
pub(crate) fn stalled_for(now: u64) -> u64 {
    match BUSY_SINCE.load(Ordering::Acquire) {
        0 => 0,
        since => now.saturating_sub(since),
    }
}

/// The watchdog's call when a job takes too long: a fresh reporter carries on without it.
pub(crate) fn take_over() {
    let generation = GENERATION.fetch_add(1, Ordering::AcqRel) + 1;
    BUSY_SINCE.store(0, Ordering::Release);
    // Without a thread there is no reporter: the runner and the exit still write the text.
    let _ = start(generation);
}

/// Wait, at most until `until`, for the sinks to have every event.
pub(crate) fn flush(until: u64) {
    nudge();
    while !super::observed_all() && clock::now_ns() < until {
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// What one reporter thread remembers.
#[derive(Default)]
struct Duties {
    woke_futures: bool,
    #[cfg_attr(not(all(unix, feature = "systemd")), allow(dead_code))]
    told_stopping: bool,
    #[cfg_attr(not(all(unix, feature = "systemd")), allow(dead_code))]
    last_extend: u64,
}

fn run(generation: u32) {
    let mut duties = Duties::default();
    loop {
        let seen = REPORTER.seq();
        if GENERATION.load(Ordering::Acquire) != generation {
            return;
        }
        let next = duties.perform();
        REPORTER.wait(seen, next);
    }
}

/// Run `job`, stamped for the watchdog and isolated from panics.
fn job<T: Default>(f: impl FnOnce() -> T) -> T {
    BUSY_SINCE.store(clock::now_ns().max(1), Ordering::Release);
    let out = contained(f).unwrap_or_default();
    BUSY_SINCE.store(0, Ordering::Release);
    out
}

impl Duties {
    /// Everything due; returns when to look again (a batch, a systemd extension).
    fn perform(&mut self) -> Option<u64> {
        if STATE.stopping() && !self.woke_futures {
            self.woke_futures = true;
            job(wake_futures);
        }
        if take_wake_request() {
            job(wake_futures);
        }
        let urgent = URGENT.swap(false, Ordering::AcqRel);
        let mut next = job(|| super::write_for_reporter(urgent));
        job(super::observe_pending);
        if let Some(again) = self.tell_supervisor() {
            next = Some(next.map_or(again, |n: u64| n.min(again)));
        }
        next
    }

    /// Report the stop to systemd and keep extending its stop timeout to our deadline, once a
    /// second; returns when to do it again.
    #[cfg(all(unix, feature = "systemd"))]
    fn tell_supervisor(&mut self) -> Option<u64> {
        const EVERY_NS: u64 = 1_000_000_000;
        let base = STATE.deadline_base()?;
        if STATE.handed_back() {
            return None;
        }
        if !self.told_stopping {
            self.told_stopping = true;
            job(stopping_once);
        }
        let now = clock::now_ns();
        if now >= self.last_extend.saturating_add(EVERY_NS) {
            self.last_extend = now;
            let deadline = base.saturating_add(clock::ns(super::timeout()));
            // Up to our own deadline, plus a second for the exit itself: never beyond.
            let usec = (deadline.saturating_sub(now) + EVERY_NS) / 1_000;
            job(|| crate::systemd::extend(usec));
        }
        Some(self.last_extend.saturating_add(EVERY_NS))
    }

    #[cfg(not(all(unix, feature = "systemd")))]
    fn tell_supervisor(&mut self) -> Option<u64> {
        None
    }
}

/// `STOPPING=1`, once per process: from the reporter, or from the exit if the stop was over
/// before the reporter got to it.
#[cfg(all(unix, feature = "systemd"))]
pub(crate) fn stopping_once() {
    static SENT: AtomicBool = AtomicBool::new(false);
    if !SENT.swap(true, Ordering::AcqRel) {
        crate::systemd::stopping();
    }
}

#[cfg(not(all(unix, feature = "systemd")))]
pub(crate) fn stopping_once() {}
