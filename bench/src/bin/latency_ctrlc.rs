//! ctrlc (with its `termination` feature, so it handles SIGTERM) in the latency benchmark: the
//! handler closure runs on ctrlc's own thread, woken through a semaphore by the signal handler.
//! The main thread sleeps, as a program's work would.

use std::time::Duration;

use graceful_bench::{emit, now_ns, ready, warm};

fn main() {
    let warm = warm();
    ctrlc::set_handler(move || {
        emit("", now_ns());
        if !warm {
            std::process::exit(0);
        }
    })
    .expect("ctrlc handler");
    ready();
    loop {
        std::thread::sleep(Duration::from_secs(60));
    }
}
