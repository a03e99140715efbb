//! tokio's signal support in the latency benchmark: a current-thread runtime awaits
//! `tokio::signal::unix::signal(SignalKind::terminate())`. tokio's handler (registered through
//! signal-hook-registry) writes to a pipe that the runtime's I/O driver polls.

use graceful_bench::{emit, now_ns, ready, warm};
use tokio::signal::unix::{SignalKind, signal};

fn main() {
    let warm = warm();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        let mut term = signal(SignalKind::terminate()).expect("tokio signal");
        ready();
        while term.recv().await.is_some() {
            emit("", now_ns());
            if !warm {
                return;
            }
        }
    });
}
