//! Wake latency of `graceful::sleep`: a thread sleeps in it; the main thread, once the sleeper
//! has had time to block, reads the clock and calls `graceful::trigger()`; the sleeper reads the
//! clock as `sleep` returns. `trigger()` is process-wide and permanent, so every sample is a
//! fresh process (the parent starts this binary once per sample). Prints the nanoseconds from
//! just before `trigger()` to the sleeper running again.
//!
//! graceful is not installed (no `#[graceful::main]`): this measures the waiting primitive
//! alone, without the watchdog thread.

use std::{
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use graceful_bench::{emit, now_ns};

static ABOUT_TO_SLEEP: AtomicBool = AtomicBool::new(false);

fn main() {
    let sleeper = std::thread::spawn(|| {
        ABOUT_TO_SLEEP.store(true, Ordering::Release);
        let woke = graceful::sleep(Duration::from_secs(60)).is_err();
        (now_ns(), woke)
    });
    while !ABOUT_TO_SLEEP.load(Ordering::Acquire) {
        std::thread::yield_now();
    }
    std::thread::sleep(Duration::from_millis(20)); // the sleeper is blocked by now
    let start = now_ns();
    graceful::trigger();
    let (woke_at, woke) = sleeper.join().expect("sleeper");
    if woke {
        emit("", woke_at - start);
    }
}
