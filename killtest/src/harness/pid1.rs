//! `killtest pid1`: the journal daemon as PID 1 of a new PID namespace, as in a container
//! started without an init (`unshare --pid --fork --mount-proc`, no Docker needed).
//!
//! The kernel drops a signal sent to a namespace's PID 1 unless PID 1 has a handler for it
//! (SIGKILL aside). graceful installs one, so SIGTERM is honoured; the baseline has none, so
//! SIGTERM is ignored and only SIGKILL, after the grace period, stops it.

use std::{process::Command, time::Duration};

use killtest::{ArgError, Args};

use super::{
    Daemon, Scratch, figure,
    journal::{self, Opts, Trial, Wrapper},
    ms,
};

/// `unshare --pid --fork --mount-proc` works here (root, or user namespaces).
pub(crate) fn unshare_works() -> bool {
    Command::new("unshare")
        .args(["--pid", "--fork", "--mount-proc", "true"])
        .status()
        .is_ok_and(|s| s.success())
}

pub(crate) fn main(args: Args) -> Result<bool, ArgError> {
    let opts = Opts::parse(args, 20, Duration::from_secs(2))?;
    if !unshare_works() {
        println!(
            "pid1: `unshare --pid --fork --mount-proc true` failed: this needs root and util-linux's unshare"
        );
        return Ok(false);
    }
    println!(
        "pid1: {} trials per daemon as PID 1 of a new PID namespace; SIGTERM after {}-{} ms of work, SIGKILL {} later; seed {}",
        opts.trials,
        opts.work_ms.0,
        opts.work_ms.1,
        ms(opts.grace),
        opts.seed
    );
    let scratch = Scratch::new("pid1");
    let all = journal::both(&opts, Wrapper::Pid1, &scratch);
    Ok(report("pid1", &all))
}

/// Print both daemons' figures under `label`; `true` if graceful kept its promise in every
/// trial and every signalled process was PID 1 where it should be.
pub(crate) fn report(label: &str, all: &[Trial]) -> bool {
    let of = |d: Daemon| {
        all.iter()
            .filter(|t| t.setup.daemon == d)
            .collect::<Vec<_>>()
    };
    let (graceful, baseline) = (of(Daemon::Graceful), of(Daemon::Baseline));
    let pid1 = |ts: &[&Trial]| ts.iter().filter(|t| t.ns_pid == Some(1)).count();
    let g = journal::print_figures(&format!("{label} graceful"), &graceful);
    let b = journal::print_figures(&format!("{label} baseline"), &baseline);
    let namespaced = all.iter().any(|t| !t.setup.wrapper.is_timeout());
    if namespaced {
        figure(
            &format!("{label}: signalled process was PID 1 in its namespace"),
            format!(
                "graceful {} of {}, baseline {} of {}",
                pid1(&graceful),
                graceful.len(),
                pid1(&baseline),
                baseline.len()
            ),
        );
    }
    journal::print_failures(&graceful);
    let pid1_ok = !namespaced || pid1(&graceful) == graceful.len();
    println!(
        "{label} trials={} lost={} corrupt={} stale_locks={} baseline_lost={} baseline_stale_locks={} baseline_sigkilled={}",
        g.trials, g.lost, g.corrupt, g.stale_locks, b.lost, b.stale_locks, b.killed
    );
    g.broken_promises == 0 && pid1_ok
}
