//! Signal-to-cleanup latency: from just before the parent's `kill(2)` to the first line of the
//! contender's first shutdown hook (for peers: the first line of user code that reacts), both
//! read on `CLOCK_MONOTONIC`, across processes.
//!
//! **Cold, fresh**: a fresh process per sample, signalled once, 20 ms after it printed `ready`
//! (so it is blocked). Contenders take turns within each trial, starting at a different one each
//! time, so machine noise falls on all alike. **Cold, settled**: still the first signal a
//! process receives, but after it has been up for seconds (3 s in a full run): a batch of
//! processes of every contender is started, left blocked, then signalled one at a time. On some
//! kernels a young process that has ever created a thread takes its first signal markedly
//! slower than one that has not; real SIGTERMs come long after start-up. **Warm**: one long-lived process per contender, signalled
//! again and again; graceful has no warm figure, since its first signal starts the shutdown
//! (and a second one forces the exit).

use std::time::Duration;

use super::{Dist, child::Child, child::bin, progress};

/// One contender: a binary in `src/bin/` and how it is started.
pub(crate) struct Contender {
    /// A peer (not the floor, not graceful): the best of these is graceful's bar.
    pub(crate) peer: bool,
    pub(crate) label: &'static str,
    pub(crate) bin: &'static str,
    pub(crate) env: &'static [(&'static str, &'static str)],
    /// Handles more than one signal, so has a warm figure.
    pub(crate) warm: bool,
    /// The signal it is measured on: SIGTERM, but for an action's.
    pub(crate) signal: i32,
    /// Colour in the chart.
    pub(crate) color: &'static str,
}

/// The floor comes first: ratios are taken to it. Then graceful's two rows, the peers, and
/// last graceful's action row (measured on SIGHUP, compared with graceful's first hook).
pub(crate) const CONTENDERS: [Contender; 7] = [
    Contender {
        peer: false,
        label: "raw sigaction handler (floor)",
        bin: "latency_floor",
        env: &[],
        warm: true,
        signal: libc::SIGTERM,
        color: "#555555",
    },
    Contender {
        peer: false,
        label: "graceful",
        bin: "latency_graceful",
        env: &[],
        warm: false,
        signal: libc::SIGTERM,
        color: "#d62728",
    },
    Contender {
        peer: false,
        label: "graceful, GRACEFUL_REPORT=off",
        bin: "latency_graceful",
        env: &[("GRACEFUL_REPORT", "off")],
        warm: false,
        signal: libc::SIGTERM,
        color: "#ff7f0e",
    },
    Contender {
        peer: true,
        label: "ctrlc 3.5 (termination)",
        bin: "latency_ctrlc",
        env: &[],
        warm: true,
        signal: libc::SIGTERM,
        color: "#1f77b4",
    },
    Contender {
        peer: true,
        label: "signal-hook 0.4 iterator",
        bin: "latency_signal_hook",
        env: &[],
        warm: true,
        signal: libc::SIGTERM,
        color: "#2ca02c",
    },
    Contender {
        peer: true,
        label: "tokio 1 signal (current-thread)",
        bin: "latency_tokio",
        env: &[],
        warm: true,
        signal: libc::SIGTERM,
        color: "#9467bd",
    },
    Contender {
        peer: false,
        label: "graceful SIGHUP action (on_signal)",
        bin: "latency_action",
        env: &[],
        warm: true,
        signal: libc::SIGHUP,
        color: "#8c564b",
    },
];

/// How long a child gets to block after `ready` before it is signalled.
const SETTLE: Duration = Duration::from_millis(20);
/// Between two signals to a warm process.
const WARM_GAP: Duration = Duration::from_millis(5);
/// Between two settled processes' signals: the previous one has exited, the next is alone.
const SETTLED_GAP: Duration = Duration::from_millis(10);

/// One cold sample: a fresh process, one signal (then SIGTERM, for an action's, to end it).
fn cold_sample(c: &Contender) -> Result<u64, String> {
    let mut child = Child::start(&bin(c.bin), &[], c.env).map_err(|e| e.to_string())?;
    child.ready()?;
    std::thread::sleep(SETTLE);
    let sent = child.signal(c.signal);
    let seen = child.number()?;
    end(c, child)?;
    seen.checked_sub(sent)
        .ok_or_else(|| "the child's time is before the signal".into())
}

/// Reap a child after its sample; one measured on an action's signal is still running: stop it.
fn end(c: &Contender, child: Child) -> Result<(), String> {
    if c.signal != libc::SIGTERM {
        child.signal(libc::SIGTERM);
    }
    child.reap().map(drop)
}

/// graceful's path cut where `graceful::sleep` returns (`latency_stages`), with the report on
/// and off: (label, environment).
pub(crate) const STAGED: [(&str, &[(&str, &str)]); 2] = [
    ("graceful", &[]),
    (
        "graceful, GRACEFUL_REPORT=off",
        &[("GRACEFUL_REPORT", "off")],
    ),
];

/// The two parts of graceful's path, and the page faults taken from `ready` to the hook.
pub(crate) struct Stages {
    pub(crate) label: &'static str,
    /// `kill(2)` → `graceful::sleep` returns in the body.
    pub(crate) to_woke: Dist,
    /// `graceful::sleep` returns → the first hook runs.
    pub(crate) woke_to_hook: Dist,
    pub(crate) faults: Dist,
}

fn staged_sample(env: &[(&str, &str)]) -> Result<(u64, u64, u64), String> {
    let mut child = Child::start(&bin("latency_stages"), &[], env).map_err(|e| e.to_string())?;
    child.ready()?;
    std::thread::sleep(SETTLE);
    let sent = child.signal(libc::SIGTERM);
    let hook = child.number()?;
    let woke = child.labelled("woke")?;
    let faults = child.labelled("faults")?;
    child.reap()?;
    match (woke.checked_sub(sent), hook.checked_sub(woke)) {
        (Some(a), Some(b)) => Ok((a, b, faults)),
        _ => Err("the child's times are out of order".into()),
    }
}

/// `trials` cold samples of every contender, interleaved, and as many of graceful's path cut in
/// two (in the same rotation).
pub(crate) fn cold(trials: usize) -> (Vec<Dist>, Vec<Stages>) {
    let mut dists: Vec<Dist> = CONTENDERS.iter().map(|c| Dist::new(c.label)).collect();
    let mut stages: Vec<Stages> = STAGED
        .iter()
        .map(|(label, _)| Stages {
            label,
            to_woke: Dist::new(label),
            woke_to_hook: Dist::new(label),
            faults: Dist::new(label),
        })
        .collect();
    let n = CONTENDERS.len();
    let jobs = n + STAGED.len();
    for trial in 0..trials {
        progress("latency, cold", trial, trials);
        for k in 0..jobs {
            let i = (trial + k) % jobs;
            if i < n {
                let sample = cold_sample(&CONTENDERS[i]);
                dists[i].push(sample);
                continue;
            }
            let st = &mut stages[i - n];
            match staged_sample(STAGED[i - n].1) {
                Ok((to_woke, woke_to_hook, faults)) => {
                    st.to_woke.push(Ok(to_woke));
                    st.woke_to_hook.push(Ok(woke_to_hook));
                    st.faults.push(Ok(faults));
                }
                Err(e) => st.to_woke.push(Err(e)),
            }
        }
    }
    (dists, stages)
}

/// The first signal of processes that have been up for `settle`: `batches` batches, each
/// starting `per_batch` processes of every contender (interleaved, starting at a different one
/// each batch), waiting until all printed `ready`, sleeping `settle`, then signalling them one
/// at a time, in start order, `SETTLED_GAP` apart, each reaped before the next. The waiting
/// processes are blocked, so they do not disturb the one being measured.
pub(crate) fn settled(per_batch: usize, batches: usize, settle: Duration) -> Vec<Dist> {
    let mut dists: Vec<Dist> = CONTENDERS.iter().map(|c| Dist::new(c.label)).collect();
    let n = CONTENDERS.len();
    for batch in 0..batches {
        progress("latency, settled", batch, batches);
        let mut started: Vec<(usize, Child)> = Vec::with_capacity(n * per_batch);
        for k in 0..n * per_batch {
            let i = (batch + k) % n;
            let c = &CONTENDERS[i];
            match Child::start(&bin(c.bin), &[], c.env) {
                Ok(child) => started.push((i, child)),
                Err(e) => dists[i].push(Err(e.to_string())),
            }
        }
        let mut ready: Vec<(usize, Child)> = Vec::with_capacity(started.len());
        for (i, mut child) in started {
            match child.ready() {
                Ok(()) => ready.push((i, child)),
                Err(e) => dists[i].push(Err(e)),
            }
        }
        std::thread::sleep(settle);
        for (i, mut child) in ready {
            std::thread::sleep(SETTLED_GAP);
            let sent = child.signal(CONTENDERS[i].signal);
            let sample = child.number().and_then(|seen| {
                seen.checked_sub(sent)
                    .ok_or_else(|| "the child's time is before the signal".into())
            });
            let sample = match (sample, end(&CONTENDERS[i], child)) {
                (Ok(v), Ok(_)) => Ok(v),
                (Err(e), _) | (Ok(_), Err(e)) => Err(e),
            };
            dists[i].push(sample);
        }
    }
    dists
}

/// `signals` warm samples of every contender that can take them: one process each, signalled
/// in turn. The first signal of each process is not counted (it is the cold one).
pub(crate) fn warm(signals: usize) -> Vec<Dist> {
    let warm: Vec<&Contender> = CONTENDERS.iter().filter(|c| c.warm).collect();
    let mut dists: Vec<Dist> = warm.iter().map(|c| Dist::new(c.label)).collect();
    let mut children: Vec<Option<Child>> = warm
        .iter()
        .zip(&mut dists)
        .map(|(c, d)| {
            let started = Child::start(&bin(c.bin), &["warm"], c.env)
                .map_err(|e| e.to_string())
                .and_then(|mut child| child.ready().map(|()| child));
            match started {
                Ok(child) => Some(child),
                Err(e) => {
                    d.push(Err(e));
                    None
                }
            }
        })
        .collect();
    std::thread::sleep(SETTLE);
    let n = warm.len();
    for round in 0..=signals {
        if round > 0 {
            progress("latency, warm", round - 1, signals);
        }
        for k in 0..n {
            let i = (round + k) % n;
            let Some(child) = children[i].as_mut() else {
                continue;
            };
            std::thread::sleep(WARM_GAP);
            let sent = child.signal(warm[i].signal);
            let sample = child.number().and_then(|seen| {
                seen.checked_sub(sent)
                    .ok_or_else(|| "the child's time is before the signal".into())
            });
            if sample.is_err() {
                children[i] = None;
            }
            if round > 0 || sample.is_err() {
                dists[i].push(sample);
            }
        }
    }
    // Dropping the children kills them.
    dists
}
