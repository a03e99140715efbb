//! The floor of the latency benchmark: a raw `sigaction` handler that reads the clock itself.
//! Nothing can react to a signal sooner than the handler that the kernel runs for it.
//!
//! Prints `ready`, then blocks in `pause(2)`; on SIGTERM the handler writes the time and the
//! process exits (or, with `warm`, waits for the next signal).

use graceful_bench::{emit, now_ns, ready, warm};

extern "C" fn on_term(_: libc::c_int) {
    // Only async-signal-safe calls: clock_gettime and write(2).
    emit("", now_ns());
}

fn main() {
    // SAFETY: a zeroed sigaction is a valid "no flags, empty mask" value; the handler is an
    // `extern "C" fn(c_int)` that only calls async-signal-safe functions, and SIGTERM may be
    // caught.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_term as *const () as libc::sighandler_t;
        libc::sigemptyset(&mut action.sa_mask);
        if libc::sigaction(libc::SIGTERM, &action, std::ptr::null_mut()) != 0 {
            std::process::exit(2);
        }
    }
    let warm = warm();
    ready();
    loop {
        // SAFETY: pause(2) has no arguments; it returns after the handler ran.
        unsafe { libc::pause() };
        if !warm {
            return;
        }
    }
}
