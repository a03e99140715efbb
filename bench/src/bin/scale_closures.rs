//! Scale: 10,000 closures registered with `graceful::on_shutdown(name, closure)`, each doing
//! the same tiny work as the static hooks of `scale_static`, plus one last static hook that
//! reports (closures run before static hooks of the same order; the reporter has order 1).
//!
//! Prints the registration time too: registering is part of the cost of closures.

use std::sync::atomic::{AtomicU64, Ordering};

use graceful_bench::{emit, now_ns};

static COUNT: AtomicU64 = AtomicU64::new(0);
static LAST: AtomicU64 = AtomicU64::new(0);
static BODY_END: AtomicU64 = AtomicU64::new(0);

/// The work of one hook.
#[inline(never)]
fn tick() {
    COUNT.fetch_add(1, Ordering::Relaxed);
    LAST.store(now_ns(), Ordering::Relaxed);
}

/// Hooks to register.
const HOOKS: u64 = 10_000;

#[graceful::main]
fn main() {
    let start = now_ns();
    for _ in 0..HOOKS {
        tick();
    }
    emit("work", now_ns() - start);
    COUNT.store(0, Ordering::Relaxed);

    let start = now_ns();
    for _ in 0..HOOKS {
        // A static name, as most programs would give; the handle is dropped, keeping the hook.
        let _ = graceful::on_shutdown("tick", tick);
    }
    emit("register", now_ns() - start);
    BODY_END.store(now_ns(), Ordering::Relaxed);
}

#[graceful::on_shutdown(order = 1)]
fn report() {
    let end = now_ns();
    emit("hooks", COUNT.load(Ordering::Relaxed));
    emit("body_end", BODY_END.load(Ordering::Relaxed));
    emit("last_hook", LAST.load(Ordering::Relaxed));
    emit("report_hook", end);
}
