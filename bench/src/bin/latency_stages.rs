//! graceful's cold signal-to-hook path cut in two, from user code alone: `latency_graceful`
//! plus a clock read where `graceful::sleep` returns. The part before is the kernel's delivery,
//! graceful's signal handler and the wake of the body's thread; the part after is the body's
//! unwind, the report, and the runner's start. The hook also counts the minor page faults the
//! process took since `ready` (read after its clock read, so not on the measured path).
//!
//! Prints `ready`, then from the hook: `<hook ns>`, `woke <ns>`, `faults <n>`.

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use graceful_bench::{emit, now_ns, ready};

static WOKE: AtomicU64 = AtomicU64::new(0);
static FAULTS_AT_READY: AtomicU64 = AtomicU64::new(0);

fn minor_faults() -> u64 {
    // SAFETY: a zeroed rusage is valid plain data for getrusage to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage with a valid out-pointer.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    usage.ru_minflt as u64
}

#[graceful::main]
fn main() -> Result<(), graceful::Shutdown> {
    FAULTS_AT_READY.store(minor_faults(), Ordering::Relaxed);
    ready();
    let slept = graceful::sleep(Duration::from_secs(60));
    WOKE.store(now_ns(), Ordering::Relaxed);
    slept?;
    Ok(())
}

#[graceful::on_shutdown]
fn first_hook() {
    let at = now_ns();
    let faults = minor_faults() - FAULTS_AT_READY.load(Ordering::Relaxed);
    emit("", at);
    emit("woke", WOKE.load(Ordering::Relaxed));
    emit("faults", faults);
}
