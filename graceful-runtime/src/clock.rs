//! One monotonic clock, readable from a signal handler.

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

/// A duration in nanoseconds, saturating.
pub(crate) fn ns(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}
