//! One monotonic clock, readable from a signal handler (unix) or a console control handler
//! (Windows).

/// Nanoseconds on `CLOCK_MONOTONIC`. `clock_gettime` is async-signal-safe (POSIX lists it), so
/// the handler and ordinary threads share this time base.
#[cfg(unix)]
pub(crate) fn now_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_MONOTONIC always exists on unix.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    (ts.tv_sec as u64) * 1_000_000_000 + ts.tv_nsec as u64
}

/// Nanoseconds on std's monotonic clock (`QueryPerformanceCounter` on Windows), counted from the
/// first call. The Windows console handler runs on an ordinary thread, not in signal context, so
/// a lazily set base is fine there.
///
/// The count starts at one second, not zero: the state machine stores these times in atomics
/// where 0 means "not yet", and the unix clock never reads 0 either.
#[cfg(not(unix))]
pub(crate) fn now_ns() -> u64 {
    use std::{sync::OnceLock, time::Instant};
    static BASE: OnceLock<Instant> = OnceLock::new();
    const START_NS: u64 = 1_000_000_000;
    let base = *BASE.get_or_init(Instant::now);
    ns(base.elapsed()).saturating_add(START_NS)
}

/// A duration in nanoseconds, saturating.
pub(crate) fn ns(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}
