//! The runner's parts: one module per benchmark, the child-process plumbing, the statistics,
//! the chart and the report.

pub(crate) mod buildtime;
pub(crate) mod child;
pub(crate) mod graph;
pub(crate) mod hot;
pub(crate) mod latency;
pub(crate) mod machine;
pub(crate) mod report;
pub(crate) mod scale;
pub(crate) mod startup;
pub(crate) mod stats;
pub(crate) mod svg;
pub(crate) mod work;

/// The samples of one contender, in ns (or KiB), and what went wrong on the way.
pub(crate) struct Dist {
    pub(crate) label: &'static str,
    pub(crate) values: Vec<u64>,
    pub(crate) failures: Vec<String>,
}

impl Dist {
    pub(crate) fn new(label: &'static str) -> Dist {
        Dist {
            label,
            values: Vec::new(),
            failures: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, sample: Result<u64, String>) {
        match sample {
            Ok(v) => self.values.push(v),
            Err(e) => self.failures.push(e),
        }
    }

    /// The percentiles (sorts the samples).
    pub(crate) fn summary(&mut self) -> stats::Summary {
        stats::summary(&mut self.values)
    }
}

/// A line on stderr about ten times per benchmark, so a long run shows it is alive.
pub(crate) fn progress(what: &str, done: usize, total: usize) {
    let step = (total / 10).max(1);
    if done % step == 0 {
        eprintln!("  {what}: {done}/{total}");
    }
}

/// `runs` rounds of one sample of every variant, each round starting with the next variant:
/// per variant, its samples and its failures.
pub(crate) fn interleaved<V, R>(
    what: &str,
    variants: &[V],
    runs: usize,
    sample: impl Fn(&V) -> Result<R, String>,
) -> Vec<(Vec<R>, Vec<String>)> {
    let n = variants.len();
    let mut all: Vec<(Vec<R>, Vec<String>)> = (0..n).map(|_| (Vec::new(), Vec::new())).collect();
    for r in 0..runs {
        progress(what, r, runs);
        for k in 0..n {
            let i = (r + k) % n;
            match sample(&variants[i]) {
                Ok(run) => all[i].0.push(run),
                Err(e) => all[i].1.push(e),
            }
        }
    }
    all
}
