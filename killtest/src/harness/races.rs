//! `killtest races`: a single SIGTERM at a random offset around the moment `main` returns on
//! its own. Whichever comes first (the signal, main's return, the hooks, the exit), the hooks
//! run exactly once each and the process exits 0.

use std::time::{Duration, Instant};

use killtest::{ArgError, Args, source::Rng};

use super::{
    command, figure, ms,
    proc::{self, Proc},
    run_trials, seed_or_clock, tally,
};

struct Outcome {
    offset: Duration,
    /// Where the signal landed, as the report tells it.
    landed: &'static str,
    how: String,
    killed: bool,
    static_runs: usize,
    closure_runs: usize,
    stderr: String,
}

impl Outcome {
    fn ok(&self) -> bool {
        self.how == "exit 0" && !self.killed && self.static_runs == 1 && self.closure_runs == 1
    }
}

/// Where the signal landed, from the report on stderr.
pub(crate) fn landed(stderr: &str, after_exit: bool) -> &'static str {
    if stderr.contains("SIGTERM received: stopping") {
        BEFORE
    } else if stderr.contains("received while stopping: absorbed") {
        HOOKS
    } else if after_exit {
        GONE
    } else {
        EXITING
    }
}

const BEFORE: &str = "before main returned";
const HOOKS: &str = "during the hooks (absorbed)";
const EXITING: &str = "during the exit (not reported)";
const GONE: &str = "after the exit";

pub(crate) fn main(mut args: Args) -> Result<bool, ArgError> {
    let (mut trials, mut jobs, mut seed) = (1000usize, 2usize, None);
    let (mut return_us, mut spread_us) = (1000u64, 500u64);
    while let Some(flag) = args.next_flag() {
        match flag.as_str() {
            "--trials" => trials = args.number(&flag)?,
            "--jobs" => jobs = args.number(&flag)?,
            "--seed" => seed = Some(args.number(&flag)?),
            "--return-us" => return_us = args.number(&flag)?,
            "--spread-us" => spread_us = args.number(&flag)?,
            _ => return Err(ArgError::Unknown(flag)),
        }
    }
    let seed = seed_or_clock(seed);
    println!(
        "races: {trials} trials; main returns {return_us} µs after `ready`; one SIGTERM aimed at a random offset in {}-{} µs after `ready` (offsets below are when it really went); seed {seed}",
        return_us.saturating_sub(spread_us),
        return_us + spread_us
    );
    let started = Instant::now();
    let all = run_trials(trials, jobs, |i| {
        let mut rng = Rng::new(seed.wrapping_add(i as u64));
        let offset = Duration::from_micros(
            rng.between(return_us.saturating_sub(spread_us), return_us + spread_us),
        );
        let mut cmd = command("fixture");
        cmd.args(["race", &return_us.to_string()]);
        let p = Proc::spawn(cmd).expect("start the fixture");
        // The fixture's own clock reading at `ready`: the pipe's latency does not count.
        let ready_ns = p
            .wait_line("ready ", Duration::from_secs(10))
            .and_then(|(_, l)| l.strip_prefix("ready ")?.parse::<u64>().ok())
            .unwrap_or_else(proc::mono_ns);
        proc::sleep_until_mono(ready_ns + offset.as_nanos() as u64);
        let after_exit = p.exited();
        proc::signal(p.pid(), libc::SIGTERM);
        // When it really went: later than planned when the machine was busy.
        let offset = Duration::from_nanos(proc::mono_ns().saturating_sub(ready_ns));
        let pid = p.pid();
        let end = p.wait(Duration::from_secs(15), pid);
        Outcome {
            offset,
            landed: landed(&end.stderr, after_exit),
            how: end.how(),
            killed: end.killed,
            static_runs: end.count("hook:static"),
            closure_runs: end.count("hook:closure"),
            stderr: end.stderr,
        }
    });
    let ok = all.iter().filter(|o| o.ok()).count();
    figure("races: trials", trials);
    for class in [BEFORE, HOOKS, EXITING, GONE] {
        let mut at: Vec<Duration> = all
            .iter()
            .filter(|o| o.landed == class)
            .map(|o| o.offset)
            .collect();
        at.sort();
        if let (Some(lo), Some(hi)) = (at.first(), at.last()) {
            figure(
                &format!("races: landed {class}"),
                format!(
                    "{} trials, +{} to +{} µs",
                    at.len(),
                    lo.as_micros(),
                    hi.as_micros()
                ),
            );
        }
    }
    figure(
        "races: hooks ran exactly once (static and closure)",
        format!(
            "{} of {trials}",
            all.iter()
                .filter(|o| o.static_runs == 1 && o.closure_runs == 1)
                .count()
        ),
    );
    figure(
        "races: hooks ran more than once",
        all.iter()
            .filter(|o| o.static_runs > 1 || o.closure_runs > 1)
            .count(),
    );
    figure(
        "races: how it ended",
        tally(all.iter().map(|o| o.how.clone())),
    );
    figure(
        "races: hung (needed SIGKILL)",
        all.iter().filter(|o| o.killed).count(),
    );
    figure(
        "wall time",
        format!("{:.1} s", started.elapsed().as_secs_f64()),
    );
    for o in all.iter().filter(|o| !o.ok()).take(10) {
        println!(
            "FAILED race at +{}: {}; static {} closure {}; stderr: {}",
            ms(o.offset),
            o.how,
            o.static_runs,
            o.closure_runs,
            o.stderr.trim()
        );
    }
    println!("races trials={trials} ok={ok} failed={}", trials - ok);
    Ok(ok == trials)
}
