//! `killtest startup`: SIGTERM during start-up, at fixed offsets after `spawn` returned (the
//! child has exec'd). Until `#[graceful::main]` has installed its handler, SIGTERM's default
//! action ends the process: no Rust code of ours has run yet, so nothing is lost, but no hook
//! runs either. From the handler on, the stop is clean: exit 0, hooks exactly once, even when
//! the signal lands before the body's first line.

use std::time::{Duration, Instant};

use killtest::{ArgError, Args};

use super::{
    command, figure,
    proc::{self, Proc},
    run_trials, spread, tally,
};

struct Shot {
    /// When the signal actually went, after spawn() returned.
    actual: Duration,
    how: String,
    killed: bool,
    hooks: (usize, usize),
}

impl Shot {
    /// Either outcome the design allows: died before the handler (no hooks), or a clean stop.
    fn ok(&self) -> bool {
        !self.killed
            && match self.how.as_str() {
                "killed by SIGTERM" => self.hooks == (0, 0),
                "exit 0" => self.hooks == (1, 1),
                _ => false,
            }
    }
    fn class(&self) -> String {
        match self.how.as_str() {
            _ if self.killed => {
                format!("SIGTERM LOST: still running {}s later", PATIENCE.as_secs())
            }
            "killed by SIGTERM" if self.hooks == (0, 0) => DEFAULT.into(),
            "exit 0" if self.hooks == (1, 1) => CLEAN.into(),
            other => format!("{other}, hooks {:?}", self.hooks),
        }
    }
}

const DEFAULT: &str = "default action (before the handler)";
const CLEAN: &str = "clean stop, hooks once";
/// A process that has not exited this long after SIGTERM never will: the signal was lost.
const PATIENCE: Duration = Duration::from_secs(3);

fn fixture() -> Proc {
    let mut cmd = command("fixture");
    cmd.arg("wait");
    Proc::spawn(cmd).expect("start the fixture")
}

fn end(p: Proc, actual: Duration) -> Shot {
    let pid = p.pid();
    let end = p.wait(PATIENCE, pid);
    Shot {
        actual,
        how: end.how(),
        killed: end.killed,
        hooks: (end.count("hook:static"), end.count("hook:closure")),
    }
}

pub(crate) fn main(mut args: Args) -> Result<bool, ArgError> {
    let mut trials = 100usize;
    let mut jobs = 2usize;
    let mut offsets: Vec<u64> = vec![0, 100, 200, 300, 500, 1000, 2000, 5000];
    while let Some(flag) = args.next_flag() {
        match flag.as_str() {
            "--trials" => trials = args.number(&flag)?,
            "--jobs" => jobs = args.number(&flag)?,
            "--offsets-us" => {
                let list = args.value(&flag)?;
                offsets = list
                    .split(',')
                    .map(|o| o.trim().parse())
                    .collect::<Result<_, _>>()
                    .map_err(|_| ArgError::BadNumber { flag, value: list })?;
            }
            _ => return Err(ArgError::Unknown(flag)),
        }
    }
    println!(
        "startup: SIGTERM at fixed offsets after spawn() returned (child exec'd), {trials} trials per offset, {jobs} at a time"
    );
    let started = Instant::now();
    // How long from spawn() returning until the body runs (handler installed before it).
    let windows: Vec<Duration> = run_trials(trials, jobs, |_| {
        let p = fixture();
        let after_spawn = proc::mono_ns();
        let body_at = p
            .wait_line("ready ", Duration::from_secs(10))
            .and_then(|(_, l)| l.strip_prefix("ready ")?.parse::<u64>().ok());
        proc::signal(p.pid(), libc::SIGTERM);
        let _ = end(p, Duration::ZERO);
        Duration::from_nanos(body_at.unwrap_or(after_spawn).saturating_sub(after_spawn))
    });
    figure("startup: spawn() returned to body running", spread(windows));
    let mut all_ok = true;
    let mut lost = 0;
    for &offset in &offsets {
        let shots = run_trials(trials, jobs, |_| {
            let p = fixture();
            let at = p.spawned + Duration::from_micros(offset);
            while Instant::now() < at {
                std::hint::spin_loop();
            }
            proc::signal(p.pid(), libc::SIGTERM);
            let actual = p.spawned.elapsed();
            end(p, actual)
        });
        all_ok &= shots.iter().all(Shot::ok);
        let range = |class: &str| {
            let us = shots
                .iter()
                .filter(|s| s.class() == class)
                .map(|s| s.actual.as_micros());
            (us.clone().min().unwrap_or(0), us.max().unwrap_or(0))
        };
        let (_, last_default) = range(DEFAULT);
        let (first_clean, _) = range(CLEAN);
        figure(
            &format!("startup: SIGTERM at +{offset} µs"),
            format!(
                "{} (really sent: default action up to +{last_default} µs, clean from +{first_clean} µs)",
                tally(shots.iter().map(Shot::class)),
            ),
        );
        lost += shots.iter().filter(|s| s.killed).count();
    }
    figure(
        "wall time",
        format!("{:.1} s", started.elapsed().as_secs_f64()),
    );
    println!(
        "startup offsets={} trials={trials} lost_signals={lost} ok={all_ok}",
        offsets.len()
    );
    Ok(all_ok)
}
