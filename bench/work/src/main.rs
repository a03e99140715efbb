//! The benchmark child for work that must finish (`work_bench MODE ...`); lines on stdout as
//! every child writes them (`<label> <ns>`):
//!
//! - `holds ROUNDS ITERS`: ns per take-and-release of a `graceful::hold`, beside the same for
//!   an `AtomicUsize` `fetch_add` + `fetch_sub` (the baseline), interleaved within every round;
//!   medians of the rounds. graceful is not installed: a hold costs the same either way.
//! - `spawn ROUNDS N IN_FLIGHT`: ns per task for `N` empty tasks spawned and awaited on a
//!   current-thread tokio runtime, `IN_FLIGHT` at a time, `tokio::spawn` and `graceful::spawn`,
//!   interleaved; medians of the rounds.
//! - `stop N`: under `Builder::run`, `N` holds are taken; a thread drops them all when
//!   stopping begins; the body calls `trigger()` and returns. The first hook prints the ns
//!   from just before `trigger()`: with `N = 0`, the stop's own cost.

use std::{
    hint::black_box,
    sync::atomic::{AtomicUsize, Ordering},
};

use graceful_bench::{emit, now_ns};

static COUNT: AtomicUsize = AtomicUsize::new(0);

fn batch(iters: u64, f: impl Fn()) -> f64 {
    let start = now_ns();
    for _ in 0..iters {
        f();
    }
    (now_ns() - start) as f64 / iters as f64
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// `rounds` rounds of each variant, starting with a different one each round.
fn interleaved<const N: usize>(rounds: usize, mut variant: impl FnMut(usize) -> f64) -> [f64; N] {
    let mut per: [Vec<f64>; N] = std::array::from_fn(|_| Vec::new());
    for round in 0..rounds {
        for k in 0..N {
            let i = (round + k) % N;
            per[i].push(variant(i));
        }
    }
    per.map(median)
}

fn holds(rounds: usize, iters: u64) {
    let [atomic, hold] = interleaved::<2>(rounds, |i| match i {
        0 => batch(iters, || {
            black_box(COUNT.fetch_add(1, Ordering::AcqRel));
            black_box(COUNT.fetch_sub(1, Ordering::AcqRel));
        }),
        _ => batch(iters, || drop(black_box(graceful::hold("request")))),
    });
    emit("fetch_add", (atomic * 1000.0) as u64);
    emit("hold", (hold * 1000.0) as u64);
}

fn spawn(rounds: usize, n: usize, in_flight: usize) {
    let in_flight = in_flight.clamp(1, n.max(1));
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let [tokio_ns, graceful_ns] = interleaved::<2>(rounds, |i| {
        rt.block_on(async {
            let start = now_ns();
            for _ in 0..n / in_flight {
                if i == 0 {
                    let tasks: Vec<_> = (0..in_flight).map(|_| tokio::spawn(async {})).collect();
                    for t in tasks {
                        let _ = t.await;
                    }
                } else {
                    let tasks: Vec<_> = (0..in_flight)
                        .map(|_| graceful::spawn("task", async {}).expect("not stopping"))
                        .collect();
                    for t in tasks {
                        let _ = t.await;
                    }
                }
            }
            (now_ns() - start) as f64 / (n / in_flight * in_flight) as f64
        })
    });
    emit("tokio", (tokio_ns * 1000.0) as u64);
    emit("graceful", (graceful_ns * 1000.0) as u64);
}

static TRIGGERED_AT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn stop(n: usize) -> std::process::ExitCode {
    graceful::Builder::new().quiet().run(move || {
        let held: Vec<_> = (0..n)
            .map(|_| graceful::hold("in flight").expect("not stopping"))
            .collect();
        std::thread::spawn(move || {
            graceful::wait();
            drop(held);
        });
        graceful::on_shutdown("first", || {
            emit("", now_ns() - TRIGGERED_AT.load(Ordering::Acquire));
        });
        TRIGGERED_AT.store(now_ns(), Ordering::Release);
        graceful::trigger();
    })
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(1);
    match args.first().map(String::as_str) {
        Some("holds") => holds(num(1) as usize, num(2)),
        Some("spawn") => spawn(num(1) as usize, num(2) as usize, num(3).max(1) as usize),
        Some("stop") => return stop(args.get(1).and_then(|a| a.parse().ok()).unwrap_or(0)),
        _ => {
            eprintln!("usage: work_bench holds ROUNDS ITERS | spawn ROUNDS N IN_FLIGHT | stop N");
            return std::process::ExitCode::from(2);
        }
    }
    std::process::ExitCode::SUCCESS
}
