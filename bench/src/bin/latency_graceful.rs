//! graceful in the latency benchmark, written as a user would: the body waits in
//! `graceful::sleep`, returns `Err(Shutdown)` on SIGTERM, and the first (only) hook reads the
//! clock on entry. The figure therefore includes the body's unwind and everything graceful does
//! before the first hook. The report goes to stderr as configured (`GRACEFUL_REPORT`).

use std::time::Duration;

use graceful_bench::{emit, now_ns, ready};

#[graceful::main]
fn main() -> Result<(), graceful::Shutdown> {
    ready();
    graceful::sleep(Duration::from_secs(60))?;
    Ok(())
}

#[graceful::on_shutdown]
fn first_hook() {
    emit("", now_ns());
}
