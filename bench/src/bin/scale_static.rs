//! Scale: 10,000 `#[graceful::on_shutdown]` functions (made by nested `macro_rules!`, each in
//! its own module so every name is unique), plus one last hook that reports.
//!
//! Each hook does the same tiny work: count itself and store a clock read. The body measures
//! that work 10,000 times over, then returns; the report hook, ordered after all the others,
//! prints when the body returned, when the last hook ran, and the work's own cost, so the
//! parent can subtract it.

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

macro_rules! ten_hooks {
    () => {
        #[graceful::on_shutdown]
        fn h0() {
            crate::tick()
        }
        #[graceful::on_shutdown]
        fn h1() {
            crate::tick()
        }
        #[graceful::on_shutdown]
        fn h2() {
            crate::tick()
        }
        #[graceful::on_shutdown]
        fn h3() {
            crate::tick()
        }
        #[graceful::on_shutdown]
        fn h4() {
            crate::tick()
        }
        #[graceful::on_shutdown]
        fn h5() {
            crate::tick()
        }
        #[graceful::on_shutdown]
        fn h6() {
            crate::tick()
        }
        #[graceful::on_shutdown]
        fn h7() {
            crate::tick()
        }
        #[graceful::on_shutdown]
        fn h8() {
            crate::tick()
        }
        #[graceful::on_shutdown]
        fn h9() {
            crate::tick()
        }
    };
}

/// Ten modules, each holding `$inner!()`.
macro_rules! times_ten {
    ($inner:ident) => {
        mod m0 {
            $inner!();
        }
        mod m1 {
            $inner!();
        }
        mod m2 {
            $inner!();
        }
        mod m3 {
            $inner!();
        }
        mod m4 {
            $inner!();
        }
        mod m5 {
            $inner!();
        }
        mod m6 {
            $inner!();
        }
        mod m7 {
            $inner!();
        }
        mod m8 {
            $inner!();
        }
        mod m9 {
            $inner!();
        }
    };
}

macro_rules! hundred_hooks {
    () => {
        times_ten!(ten_hooks);
    };
}

macro_rules! thousand_hooks {
    () => {
        times_ten!(hundred_hooks);
    };
}

mod all {
    times_ten!(thousand_hooks);
}

/// Hooks that ran, and the count expected.
const HOOKS: u64 = 10_000;

#[graceful::main]
fn main() {
    // The hooks' own work, measured here so the parent can subtract it.
    let start = now_ns();
    for _ in 0..HOOKS {
        tick();
    }
    emit("work", now_ns() - start);
    COUNT.store(0, Ordering::Relaxed);
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
