//! signal-hook's iterator in the latency benchmark, used the usual way: a thread iterates
//! `Signals::forever()` (a self-pipe filled by signal-hook's handler) while the main thread
//! works (here, sleeps).

use std::time::Duration;

use graceful_bench::{emit, now_ns, ready, warm};
use signal_hook::{consts::SIGTERM, iterator::Signals};

fn main() {
    let warm = warm();
    let mut signals = Signals::new([SIGTERM]).expect("signal-hook registration");
    std::thread::spawn(move || {
        for _ in signals.forever() {
            emit("", now_ns());
            if !warm {
                std::process::exit(0);
            }
        }
    });
    ready();
    loop {
        std::thread::sleep(Duration::from_secs(60));
    }
}
