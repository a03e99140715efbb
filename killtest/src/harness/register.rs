//! `killtest register`: SIGTERM while closures are being registered.
//!
//! - **body**: two threads register closures (`graceful::on_shutdown`) until stopping begins;
//!   the signal lands among the registrations.
//! - **hook**: main returns, and a hook registers 200 closures while the signal lands (it is
//!   absorbed: the stop was already under way).
//!
//! Stdout is one pipe written one line at a time, so its order is the order of events: a
//! closure whose `reg ID` line comes before the last hook's line was in the registry before
//! the runner last looked, and must have run, exactly once. Closures registered after that
//! (the process is exiting) cannot run; they are counted, not failed.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use killtest::{ArgError, Args, source::Rng};

use super::{
    command, figure,
    proc::{self, Proc},
    races, run_trials, seed_or_clock, tally,
};

#[derive(Default)]
struct Seen {
    registered: usize,
    ran: usize,
    ran_twice: usize,
    /// Registered before the last hook ran, yet never ran.
    missed: usize,
    /// Registered after the last hook: too late to run.
    late: usize,
    how: String,
    killed: bool,
    hooks_once: bool,
    landed: &'static str,
}

impl Seen {
    fn ok(&self) -> bool {
        self.how == "exit 0"
            && !self.killed
            && self.ran_twice == 0
            && self.missed == 0
            && self.hooks_once
    }
}

fn judge(stdout: &[String]) -> Seen {
    let mut s = Seen::default();
    let last_hook = stdout
        .iter()
        .rposition(|l| l.starts_with("hook:") || l.starts_with("run "))
        .unwrap_or(0);
    let mut runs: HashMap<&str, usize> = HashMap::new();
    for l in stdout {
        if let Some(id) = l.strip_prefix("run ") {
            *runs.entry(id).or_default() += 1;
        }
    }
    s.ran = runs.len();
    s.ran_twice = runs.values().filter(|&&n| n > 1).count();
    for (i, l) in stdout.iter().enumerate() {
        if let Some(id) = l.strip_prefix("reg ") {
            s.registered += 1;
            let ran = runs.contains_key(id);
            if i < last_hook && !ran {
                s.missed += 1;
            }
            if i > last_hook {
                s.late += 1;
            }
        }
    }
    let once = |m: &str| stdout.iter().filter(|l| *l == m).count() == 1;
    s.hooks_once = once("hook:static") && once("hook:closure");
    s
}

pub(crate) fn main(mut args: Args) -> Result<bool, ArgError> {
    let (mut trials, mut jobs, mut seed) = (200usize, 2usize, None);
    while let Some(flag) = args.next_flag() {
        match flag.as_str() {
            "--trials" => trials = args.number(&flag)?,
            "--jobs" => jobs = args.number(&flag)?,
            "--seed" => seed = Some(args.number(&flag)?),
            _ => return Err(ArgError::Unknown(flag)),
        }
    }
    let seed = seed_or_clock(seed);
    println!("register: {trials} trials per case, seed {seed}");
    let started = Instant::now();
    let mut all_ok = true;
    for case in ["body", "hook"] {
        let all = run_trials(trials, jobs, |i| {
            let mut rng = Rng::new(seed.wrapping_add(i as u64));
            let mut cmd = command("fixture");
            // In the hook case main returns 1 ms after `ready`; the hook registers for ~10 ms.
            let delay = match case {
                "body" => {
                    cmd.arg("register");
                    Duration::from_micros(rng.between(500, 20_000))
                }
                _ => {
                    cmd.args(["register-in-hook", "1000"]);
                    Duration::from_micros(rng.between(1_000, 12_000))
                }
            };
            let p = Proc::spawn(cmd).expect("start the fixture");
            if let Some((ready, _)) = p.wait_line("ready", Duration::from_secs(10)) {
                std::thread::sleep((ready + delay).saturating_duration_since(Instant::now()));
            }
            let after_exit = p.exited();
            proc::signal(p.pid(), libc::SIGTERM);
            let pid = p.pid();
            let end = p.wait(Duration::from_secs(15), pid);
            let mut seen = judge(&end.stdout);
            seen.how = end.how();
            seen.killed = end.killed;
            seen.landed = races::landed(&end.stderr, after_exit);
            seen
        });
        let ok = all.iter().filter(|s| s.ok()).count();
        all_ok &= ok == trials;
        let sum = |f: fn(&Seen) -> usize| all.iter().map(f).sum::<usize>();
        figure(
            &format!("register ({case}): closures registered / ran"),
            format!("{} / {}", sum(|s| s.registered), sum(|s| s.ran)),
        );
        figure(
            &format!("register ({case}): ran twice / missed"),
            format!("{} / {}", sum(|s| s.ran_twice), sum(|s| s.missed)),
        );
        figure(
            &format!("register ({case}): registered after the last hook"),
            sum(|s| s.late),
        );
        figure(
            &format!("register ({case}): where the signal landed"),
            tally(all.iter().map(|s| s.landed.to_string())),
        );
        figure(
            &format!("register ({case}): how it ended"),
            tally(all.iter().map(|s| s.how.clone())),
        );
        figure(
            &format!("register ({case}): trials ok"),
            format!("{ok} of {trials}"),
        );
    }
    figure(
        "wall time",
        format!("{:.1} s", started.elapsed().as_secs_f64()),
    );
    println!("register trials={trials} ok={all_ok}");
    Ok(all_ok)
}
