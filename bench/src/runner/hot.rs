//! The hot path: what the body pays to ask "are we stopping?", and how fast a thread blocked in
//! `graceful::sleep` wakes.
//!
//! **Checks** run in this process (graceful is never installed or triggered here, so the checks
//! see "running", as in a body's inner loop): batches of a tight loop, each variant in turn
//! within every round, and the median of the rounds' ns per call. The loop's own cost is in
//! every figure, so the ratio to a plain `AtomicBool` load is the honest one.
//!
//! **Wake**: `trigger()` is process-wide and permanent, so each sample is a fresh process
//! (`wake_graceful`, `wake_floor`): a thread blocks, the main thread reads the clock and wakes
//! it, the woken thread reads the clock. The floor wakes its thread the cheapest ways std
//! offers: `Thread::unpark` (one futex wake) and a `Condvar`.

use std::{
    hint::black_box,
    sync::atomic::{AtomicBool, Ordering},
};

use graceful_bench::now_ns;

use super::{Dist, child::Child, child::bin, progress, stats};

/// The baseline's flag. `checks` stores to it through `black_box`: a static nothing writes is
/// a constant to the optimiser, whose "load" would then be no load at all.
static FLAG: AtomicBool = AtomicBool::new(false);

/// ns per call of `f`, over `iters` calls.
#[inline(never)]
fn batch<T>(iters: u64, f: impl Fn() -> T) -> f64 {
    let start = now_ns();
    for _ in 0..iters {
        black_box(f());
    }
    (now_ns() - start) as f64 / iters as f64
}

/// One row of the checks table: a label and its median ns per call.
pub(crate) struct Check {
    pub(crate) label: &'static str,
    pub(crate) ns: f64,
}

fn run_variant(which: usize, iters: u64) -> f64 {
    match which {
        0 => batch(iters, || FLAG.load(Ordering::Acquire)),
        1 => batch(iters, graceful::is_shutting_down),
        2 => batch(iters, || graceful::check().is_ok()),
        _ => batch(iters, || FLAG.load(Ordering::Relaxed)),
    }
}

const LABELS: [&str; 4] = [
    "`AtomicBool::load(Acquire)` (baseline)",
    "`graceful::is_shutting_down()`",
    "`graceful::check()`",
    "`AtomicBool::load(Relaxed)`",
];

/// `rounds` rounds of `iters` calls of each variant.
pub(crate) fn checks(rounds: usize, iters: u64) -> Vec<Check> {
    FLAG.store(black_box(false), Ordering::Release);
    let n = LABELS.len();
    let mut per: Vec<Vec<f64>> = vec![Vec::new(); n];
    for _ in 0..n {
        run_variant(0, iters / 10 + 1); // warm up
    }
    for round in 0..rounds {
        for k in 0..n {
            let i = (round + k) % n;
            per[i].push(run_variant(i, iters));
        }
    }
    LABELS
        .iter()
        .zip(per)
        .map(|(label, mut v)| Check {
            label,
            ns: stats::median(&mut v),
        })
        .collect()
}

/// The wake contenders: (label, binary, argument).
pub(crate) const WAKERS: [(&str, &str, &str); 3] = [
    ("`Thread::unpark` → `park` (floor)", "wake_floor", "park"),
    ("`trigger()` → `graceful::sleep`", "wake_graceful", ""),
    ("`Condvar::notify_one` → `wait`", "wake_floor", "condvar"),
];

/// `trials` wake samples of each contender, interleaved, one process each.
pub(crate) fn wake(trials: usize) -> Vec<Dist> {
    let mut dists: Vec<Dist> = WAKERS.iter().map(|w| Dist::new(w.0)).collect();
    let n = WAKERS.len();
    for trial in 0..trials {
        progress("wake", trial, trials);
        for k in 0..n {
            let i = (trial + k) % n;
            let (_, name, arg) = WAKERS[i];
            let args: &[&str] = if arg.is_empty() { &[] } else { &[arg] };
            let sample = Child::start(&bin(name), args, &[])
                .map_err(|e| e.to_string())
                .and_then(|mut child| {
                    let ns = child.number()?;
                    child.reap()?;
                    Ok(ns)
                });
            dists[i].push(sample);
        }
    }
    dists
}
