//! Scale: 10,000 hooks, static (`#[graceful::on_shutdown]`, in `scale_static`) or closures
//! (`graceful::on_shutdown(name, closure)`, in `scale_closures`). The figure is the time from
//! the body's return to the last of the 10,000 hooks running, less the hooks' own work (the
//! median over the runs of a counter and a clock read 10,000 times, which each child times
//! before it returns).
//! With the text report each hook also prints a line: measured with stderr on /dev/null
//! (`GRACEFUL_REPORT=always`: these runs end on their own, which the default text report keeps
//! quiet), and with `GRACEFUL_REPORT=off`.

use super::{child::Child, child::bin, interleaved, stats};

/// The hooks each child registers.
pub(crate) const HOOKS: u64 = 10_000;

pub(crate) struct Variant {
    pub(crate) label: &'static str,
    bin: &'static str,
    env: &'static [(&'static str, &'static str)],
    closures: bool,
}

pub(crate) const VARIANTS: [Variant; 4] = [
    Variant {
        label: "10,000 static hooks, report off",
        bin: "scale_static",
        env: &[("GRACEFUL_REPORT", "off")],
        closures: false,
    },
    Variant {
        label: "10,000 static hooks, text report (stderr → /dev/null)",
        bin: "scale_static",
        // `always`: the run ends on its own, which the default text report keeps quiet.
        env: &[("GRACEFUL_REPORT", "always")],
        closures: false,
    },
    Variant {
        label: "10,000 closures, report off",
        bin: "scale_closures",
        env: &[("GRACEFUL_REPORT", "off")],
        closures: true,
    },
    Variant {
        label: "10,000 closures, text report (stderr → /dev/null)",
        bin: "scale_closures",
        env: &[("GRACEFUL_REPORT", "always")],
        closures: true,
    },
];

/// Medians over the runs of one variant, in ns.
#[derive(Default)]
pub(crate) struct Row {
    pub(crate) runs: usize,
    pub(crate) overhead: f64,
    pub(crate) overhead_min: f64,
    pub(crate) overhead_max: f64,
    pub(crate) work: f64,
    /// Closures only: registering all of them.
    pub(crate) register: Option<f64>,
    pub(crate) failures: Vec<String>,
}

struct Run {
    /// From the body's end to the last hook, hooks' work included.
    span: f64,
    work: f64,
    register: Option<f64>,
}

fn sample(v: &Variant) -> Result<Run, String> {
    let mut child = Child::start(&bin(v.bin), &[], v.env).map_err(|e| e.to_string())?;
    let work = child.labelled("work")?;
    let register = if v.closures {
        Some(child.labelled("register")? as f64)
    } else {
        None
    };
    let hooks = child.labelled("hooks")?;
    let body_end = child.labelled("body_end")?;
    let last_hook = child.labelled("last_hook")?;
    let _report = child.labelled("report_hook")?;
    child.reap()?;
    if hooks != HOOKS {
        return Err(format!("{hooks} hooks ran, not {HOOKS}"));
    }
    let span = last_hook.checked_sub(body_end).ok_or("clock went back")?;
    Ok(Run {
        span: span as f64,
        work: work as f64,
        register,
    })
}

pub(crate) fn run(runs: usize) -> Vec<Row> {
    interleaved("scale", &VARIANTS, runs, sample)
        .into_iter()
        .map(|(runs, failures)| {
            // The median of the work, not each run's own: a run whose timing loop was
            // preempted would otherwise show a negative overhead.
            let mut work: Vec<f64> = runs.iter().map(|r| r.work).collect();
            let work = stats::median(&mut work);
            let mut overhead: Vec<f64> = runs.iter().map(|r| r.span - work).collect();
            let mut register: Vec<f64> = runs.iter().filter_map(|r| r.register).collect();
            Row {
                runs: runs.len(),
                overhead_min: overhead.iter().copied().fold(f64::NAN, f64::min),
                overhead_max: overhead.iter().copied().fold(f64::NAN, f64::max),
                overhead: stats::median(&mut overhead),
                work,
                register: (!register.is_empty()).then(|| stats::median(&mut register)),
                failures,
            }
        })
        .collect()
}
