//! The hook graph at scale: 10,000 closures with distinct names, either with no edges (`none`,
//! the first argument) or with 10,000 (`chain`: each but the first `.after` the one before,
//! 9,999 edges, and the last also `.after` the first). Each does the tiny work of
//! `scale_closures`; one static hook in a later stage (`order = 1`) reports, as there.
//!
//! Prints the registration time: `.after(name)` checks the name against the registry (a linear
//! scan), which is paid here, before the stop, not in the stop the parent measures.

use std::sync::atomic::{AtomicU64, Ordering};

use graceful_bench::{emit, now_ns};

static COUNT: AtomicU64 = AtomicU64::new(0);
static FIRST: AtomicU64 = AtomicU64::new(0);
static LAST: AtomicU64 = AtomicU64::new(0);
static BODY_END: AtomicU64 = AtomicU64::new(0);

/// The work of one hook.
#[inline(never)]
fn tick() {
    let now = now_ns();
    if COUNT.fetch_add(1, Ordering::Relaxed) == 0 {
        FIRST.store(now, Ordering::Relaxed);
    }
    LAST.store(now, Ordering::Relaxed);
}

/// Hooks to register.
const HOOKS: usize = 10_000;

#[graceful::main]
fn main() {
    let chain = std::env::args().nth(1).is_some_and(|a| a == "chain");
    let names: Vec<String> = (0..HOOKS).map(|i| format!("tick {i}")).collect();

    let start = now_ns();
    for _ in 0..HOOKS {
        tick();
    }
    emit("work", now_ns() - start);
    COUNT.store(0, Ordering::Relaxed);

    let mut edges = 0u64;
    let start = now_ns();
    for (i, name) in names.iter().enumerate() {
        let mut hook = graceful::on_shutdown(name.clone(), tick);
        if chain && i > 0 {
            hook = hook.after(names[i - 1].clone()).expect("registered");
            edges += 1;
            if i == HOOKS - 1 {
                let _ = hook.after(names[0].clone()).expect("registered");
                edges += 1;
            }
        }
    }
    emit("register", now_ns() - start);
    emit("edges", edges);
    BODY_END.store(now_ns(), Ordering::Relaxed);
}

#[graceful::on_shutdown(order = 1)]
fn report() {
    let end = now_ns();
    emit("hooks", COUNT.load(Ordering::Relaxed));
    emit("body_end", BODY_END.load(Ordering::Relaxed));
    emit("first_hook", FIRST.load(Ordering::Relaxed));
    emit("last_hook", LAST.load(Ordering::Relaxed));
    emit("report_hook", end);
}
