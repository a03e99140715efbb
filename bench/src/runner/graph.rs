//! The hook graph (issue 12's targets):
//! - **stop**: `graph_concurrent`, 100 independent closures that each sleep (100 ms in the
//!   full run), stopped by SIGTERM with `GRACEFUL_HOOKS=concurrent` and `=sequential`,
//!   interleaved; the figure is `kill(2)` → the process's exit, read by the parent (a pidfd).
//! - **plan**: `graph_edges`, 10,000 closures with no edges or with 10,000 `.after` edges, the
//!   body returning normally; the figures are the scale benchmark's (`runner::scale`): from
//!   the body's return to the first and to the last hook, less the hooks' own work.

use std::time::Duration;

use graceful_bench::now_ns;

use super::{Dist, child::Child, child::bin, interleaved, progress, stats};

/// The closures `graph_concurrent` registers.
pub(crate) const STOP_HOOKS: u64 = 100;
/// The closures `graph_edges` registers.
pub(crate) const PLAN_HOOKS: u64 = 10_000;

/// The stop, both ways, in ns.
pub(crate) struct Stop {
    /// How long each hook sleeps.
    pub(crate) hook_ms: u64,
    pub(crate) concurrent: Dist,
    pub(crate) sequential: Dist,
}

fn stop_sample(mode: &str, hook_ms: u64) -> Result<u64, String> {
    let ms = hook_ms.to_string();
    let child = Child::start(
        &bin("graph_concurrent"),
        &[&ms],
        &[("GRACEFUL_HOOKS", mode)],
    )
    .map_err(|e| e.to_string())?;
    // The sequential stop takes 100 hooks × `hook_ms`: more than the usual step.
    let mut child =
        child.patient(Duration::from_millis(STOP_HOOKS * hook_ms * 3).max(super::child::STEP));
    child.ready()?;
    std::thread::sleep(Duration::from_millis(20));
    let at = child.signal(libc::SIGTERM);
    let hooks = child.labelled("hooks")?;
    let reaped = child.reap()?;
    let end = now_ns();
    if hooks != STOP_HOOKS {
        return Err(format!("{hooks} hooks ran, not {STOP_HOOKS}"));
    }
    if reaped.status != 0 {
        return Err(format!("wait status {:#x}", reaped.status));
    }
    end.checked_sub(at).ok_or_else(|| "clock went back".into())
}

/// `concurrent` samples of the concurrent stop and `sequential` of the sequential one, the
/// sequential ones spread evenly among the others.
pub(crate) fn stop(concurrent: usize, sequential: usize, hook_ms: u64) -> Stop {
    let mut out = Stop {
        hook_ms,
        concurrent: Dist::new("100 hooks, `GRACEFUL_HOOKS=concurrent`"),
        sequential: Dist::new("100 hooks, `GRACEFUL_HOOKS=sequential`"),
    };
    let rounds = concurrent.max(sequential);
    for r in 0..rounds {
        progress("graph stop", r, rounds);
        if r * concurrent / rounds != (r + 1) * concurrent / rounds {
            out.concurrent.push(stop_sample("concurrent", hook_ms));
        }
        if r * sequential / rounds != (r + 1) * sequential / rounds {
            out.sequential.push(stop_sample("sequential", hook_ms));
        }
    }
    out
}

pub(crate) struct Variant {
    pub(crate) label: &'static str,
    arg: &'static str,
    pub(crate) edges: u64,
}

pub(crate) const VARIANTS: [Variant; 2] = [
    Variant {
        label: "10,000 closures, no edges",
        arg: "none",
        edges: 0,
    },
    Variant {
        label: "10,000 closures, 10,000 `.after` edges",
        arg: "chain",
        edges: 10_000,
    },
];

/// Medians over the runs of one variant, in ns.
#[derive(Default)]
pub(crate) struct Row {
    pub(crate) runs: usize,
    /// The body's return → the first hook.
    pub(crate) first: f64,
    /// The body's return → the last hook, less the hooks' own work.
    pub(crate) overhead: f64,
    pub(crate) overhead_min: f64,
    pub(crate) overhead_max: f64,
    pub(crate) register: f64,
    pub(crate) failures: Vec<String>,
}

struct Run {
    first: f64,
    span: f64,
    work: f64,
    register: f64,
}

fn plan_sample(v: &Variant) -> Result<Run, String> {
    let mut child = Child::start(&bin("graph_edges"), &[v.arg], &[("GRACEFUL_REPORT", "off")])
        .map_err(|e| e.to_string())?;
    let work = child.labelled("work")?;
    let register = child.labelled("register")?;
    let edges = child.labelled("edges")?;
    let hooks = child.labelled("hooks")?;
    let body_end = child.labelled("body_end")?;
    let first_hook = child.labelled("first_hook")?;
    let last_hook = child.labelled("last_hook")?;
    let _report = child.labelled("report_hook")?;
    child.reap()?;
    if hooks != PLAN_HOOKS || edges != v.edges {
        return Err(format!(
            "{hooks} hooks and {edges} edges, not {PLAN_HOOKS} and {}",
            v.edges
        ));
    }
    let since = |t: u64| t.checked_sub(body_end).ok_or("clock went back");
    Ok(Run {
        first: since(first_hook)? as f64,
        span: since(last_hook)? as f64,
        work: work as f64,
        register: register as f64,
    })
}

pub(crate) fn plan(runs: usize) -> Vec<Row> {
    interleaved("graph plan", &VARIANTS, runs, plan_sample)
        .into_iter()
        .map(|(runs, failures)| {
            // As in `runner::scale`: the median of the work, subtracted from every run.
            let mut work: Vec<f64> = runs.iter().map(|r| r.work).collect();
            let work = stats::median(&mut work);
            let mut overhead: Vec<f64> = runs.iter().map(|r| r.span - work).collect();
            let mut first: Vec<f64> = runs.iter().map(|r| r.first).collect();
            let mut register: Vec<f64> = runs.iter().map(|r| r.register).collect();
            Row {
                runs: runs.len(),
                overhead_min: overhead.iter().copied().fold(f64::NAN, f64::min),
                overhead_max: overhead.iter().copied().fold(f64::NAN, f64::max),
                overhead: stats::median(&mut overhead),
                first: stats::median(&mut first),
                register: stats::median(&mut register),
                failures,
            }
        })
        .collect()
}
