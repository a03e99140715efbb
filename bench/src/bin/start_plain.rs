//! Start-up baseline: a plain `fn main` whose first line reads the clock and prints it. The
//! parent compares it with the time it took just before starting the process. At exit it
//! reports its peak RSS.

use graceful_bench::{emit, now_ns};

fn main() {
    emit("", now_ns());
    graceful_bench::emit_peak_rss_at_exit();
}
