//! Start-up with graceful: the same program as `start_plain` under `#[graceful::main]`, with
//! one hook. The first line of the body reads the clock, so the figure includes what graceful
//! does before the body: configuration, signal handlers and the watchdog thread. At exit
//! (after the hooks and the report) it reports its peak RSS.

use graceful_bench::{emit, now_ns};

#[graceful::main]
fn main() {
    emit("", now_ns());
    graceful_bench::emit_peak_rss_at_exit();
}

#[graceful::on_shutdown]
fn cleanup() {}
