//! Work that must finish: what a hold costs, what `graceful::spawn` adds to `tokio::spawn`, and
//! what waiting for 10,000 holds adds to a stop. The measuring is done by `work_bench`
//! (`bench/work/`, its own package so that the `tokio` feature it needs stays out of the other
//! children); this module runs it and reads its lines.

use super::{Dist, child::Child, child::bin, progress, stats};

/// The figures of one run.
pub(crate) struct Work {
    /// ns per take-and-release: (two `fetch_add`s, a hold), medians of `rounds` rounds.
    pub(crate) holds: Option<(f64, f64)>,
    /// ns per empty task, (in flight at a time, tokio, graceful), medians.
    pub(crate) spawn: Vec<(usize, f64, f64)>,
    /// From `trigger()` to the first hook with no hold, and with `HOLDS` holds released at the
    /// stop: one process per sample, interleaved.
    pub(crate) stop: [Dist; 2],
    pub(crate) rounds: usize,
    pub(crate) iters: u64,
    pub(crate) tasks: usize,
}

/// How many holds the stop waits for.
pub(crate) const HOLDS: usize = 10_000;
/// Tasks in flight at a time in the spawn benchmark.
pub(crate) const IN_FLIGHT: [usize; 3] = [1, 64, 10_000];

/// The `label value` lines of one run of `work_bench args`, values in ps turned to ns.
fn lines(args: &[&str], count: usize) -> Result<Vec<f64>, String> {
    let mut child = Child::start(&bin("work_bench"), args, &[]).map_err(|e| e.to_string())?;
    let values = (0..count)
        .map(|_| child.number().map(|ps| ps as f64 / 1000.0))
        .collect::<Result<Vec<_>, _>>()?;
    child.reap()?;
    Ok(values)
}

pub(crate) fn run(rounds: usize, iters: u64, tasks: usize, stops: usize) -> Work {
    eprintln!("  holds");
    let holds = lines(&["holds", &rounds.to_string(), &iters.to_string()], 2)
        .map(|v| (v[0], v[1]))
        .map_err(|e| eprintln!("    failed: {e}"))
        .ok();
    eprintln!("  spawn");
    let spawn = IN_FLIGHT
        .iter()
        .filter_map(|&k| {
            let args = [
                "spawn",
                &rounds.to_string(),
                &tasks.to_string(),
                &k.to_string(),
            ];
            lines(&args, 2)
                .map(|v| (k, v[0], v[1]))
                .map_err(|e| eprintln!("    failed: {e}"))
                .ok()
        })
        .collect();
    let mut stop = [
        Dist::new("no hold"),
        Dist::new("10,000 holds released at the stop"),
    ];
    for trial in 0..stops {
        progress("stop with holds", trial, stops);
        for k in 0..2 {
            let i = (trial + k) % 2;
            let n = if i == 0 { 0 } else { HOLDS };
            let sample = Child::start(&bin("work_bench"), &["stop", &n.to_string()], &[])
                .map_err(|e| e.to_string())
                .and_then(|mut child| {
                    let ns = child.number()?;
                    child.reap()?;
                    Ok(ns)
                });
            stop[i].push(sample);
        }
    }
    Work {
        holds,
        spawn,
        stop,
        rounds,
        iters,
        tasks,
    }
}

/// The added cost of the holds at the stop: p50 with them − p50 without, in ns.
pub(crate) fn stop_overhead(w: &mut Work) -> f64 {
    let [none, many] = &mut w.stop;
    many.summary().p50 - none.summary().p50
}

/// A ratio, for the report's cells.
pub(crate) fn ratio(a: f64, b: f64) -> String {
    stats::ratio(a, b)
}
