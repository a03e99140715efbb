//! The journal kill test: start the daemon, let it work, SIGTERM it, check what it left. The
//! same trial runs the daemon directly, as PID 1 of a new PID namespace, or under a
//! supervisor (`timeout`, `tini`, `dumb-init`): see [`Wrapper`].

use std::{
    process::Command,
    time::{Duration, Instant},
};

use killtest::{ArgError, Args, source::Rng};

use super::{
    Daemon, Scratch,
    check::{self, Verdict},
    command, figure, ms, pct,
    proc::{self, Proc},
    run_trials, seed_or_clock, spread, tally,
};

/// How the daemon is started, and who sends it SIGTERM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wrapper {
    /// Our child; we signal it.
    Direct,
    /// PID 1 of a new PID namespace (`unshare --pid --fork --mount-proc`); we signal it.
    Pid1,
    /// `tini` as PID 1 of a new PID namespace, the daemon its child; we signal tini.
    Tini,
    /// `dumb-init` as PID 1 of a new PID namespace, the daemon its child; we signal dumb-init.
    DumbInit,
    /// `timeout --preserve-status --signal=TERM --kill-after=GRACE WORK`: timeout signals it
    /// (twice: the daemon, then timeout's whole process group, which holds the daemon).
    Timeout,
    /// The same with `--foreground`: timeout signals the daemon only, once.
    TimeoutForeground,
}

impl Wrapper {
    /// GNU timeout sends the signals, not the harness.
    pub(crate) fn is_timeout(self) -> bool {
        matches!(self, Wrapper::Timeout | Wrapper::TimeoutForeground)
    }

    fn command(self, daemon: Daemon, work: Duration, grace: Duration) -> Command {
        let bin = super::bin(daemon.bin());
        let in_namespace = |init: &[&str]| {
            let mut c = Command::new("unshare");
            c.args(["--pid", "--fork", "--mount-proc"])
                .args(init)
                .arg(&bin);
            c
        };
        match self {
            Wrapper::Direct => command(daemon.bin()),
            Wrapper::Pid1 => in_namespace(&[]),
            Wrapper::Tini => in_namespace(&["tini", "--"]),
            Wrapper::DumbInit => in_namespace(&["dumb-init"]),
            Wrapper::Timeout | Wrapper::TimeoutForeground => {
                let mut c = Command::new("timeout");
                if self == Wrapper::TimeoutForeground {
                    c.arg("--foreground");
                }
                c.args(["--preserve-status", "--signal=TERM"])
                    .arg(format!("--kill-after={}s", grace.as_secs_f64()))
                    .arg(format!("{}s", work.as_secs_f64()))
                    .arg(&bin);
                c
            }
        }
    }
}

/// One trial's settings.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Setup {
    pub(crate) daemon: Daemon,
    pub(crate) wrapper: Wrapper,
    pub(crate) seed: u64,
    /// How long the daemon works before SIGTERM (from its `ready`; for `timeout`, from start).
    pub(crate) work: Duration,
    /// SIGTERM to SIGKILL.
    pub(crate) grace: Duration,
}

/// What one trial saw.
#[derive(Debug, Clone)]
pub(crate) struct Trial {
    pub(crate) setup: Setup,
    /// The daemon printed `ready`.
    pub(crate) ready: bool,
    pub(crate) verdict: Verdict,
    /// `exit 0`, `killed by SIGTERM`, ... as our child ended.
    pub(crate) how: String,
    /// Still running at the end of the grace period: SIGKILL.
    pub(crate) killed: bool,
    /// SIGTERM to exit (for `timeout`: from when timeout was due to send it).
    pub(crate) stop: Duration,
    /// The pid the signalled process had in its own namespace (1 for PID 1).
    pub(crate) ns_pid: Option<i32>,
    /// Records the hooks committed (in memory at SIGTERM) and bytes they flushed.
    pub(crate) hook_records: u64,
    pub(crate) hook_bytes: u64,
    pub(crate) stderr: String,
}

impl Trial {
    /// Graceful's promise: nothing acknowledged lost, nothing torn, no lock left, exit 0 on
    /// its own.
    pub(crate) fn kept_promise(&self) -> bool {
        self.ready
            && self.verdict.lost == 0
            && !self.verdict.corrupt()
            && !self.verdict.stale_lock
            && !self.killed
            && self.how == "exit 0"
    }
}

/// The record generator's pace in every trial (the daemon's default).
pub(crate) const PACE: Duration = Duration::from_millis(5);
const READY_PATIENCE: Duration = Duration::from_secs(10);

/// Run one trial in `dir`.
pub(crate) fn trial(setup: Setup, dir: &std::path::Path) -> Trial {
    let mut cmd = setup.wrapper.command(setup.daemon, setup.work, setup.grace);
    cmd.arg("--dir")
        .arg(dir)
        .arg("--seed")
        .arg(setup.seed.to_string())
        .arg("--pace-us")
        .arg(PACE.as_micros().to_string());
    let p = Proc::spawn(cmd).expect("start the daemon");
    let ready_at = p.wait_line("ready", READY_PATIENCE).map(|(t, _)| t);
    let target = match setup.wrapper {
        Wrapper::Direct | Wrapper::Timeout | Wrapper::TimeoutForeground => Some(p.pid()),
        _ => proc::child_of(p.pid(), READY_PATIENCE),
    };
    let kill_pid = target.unwrap_or(p.pid());
    let ns_pid = target.and_then(proc::ns_pid);
    let term_at = if setup.wrapper.is_timeout() {
        p.spawned + setup.work
    } else {
        if let Some(t) = ready_at {
            std::thread::sleep((t + setup.work).saturating_duration_since(Instant::now()));
        }
        let at = Instant::now();
        proc::signal(kill_pid, libc::SIGTERM);
        at
    };
    // Under `timeout`, timeout itself sends SIGKILL after the grace; ours is a backstop.
    let backstop = if setup.wrapper.is_timeout() {
        setup.work + setup.grace + Duration::from_secs(5)
    } else {
        setup.grace
    };
    let end = p.wait(backstop, kill_pid);
    let verdict = check::verify(dir, &end.stdout, setup.seed, PACE);
    let number_after = |prefix: &str| {
        end.stdout
            .iter()
            .filter_map(|l| l.strip_prefix(prefix)?.parse::<u64>().ok())
            .sum()
    };
    Trial {
        setup,
        ready: ready_at.is_some(),
        how: end.how(),
        killed: end.killed,
        stop: end.at.saturating_duration_since(term_at),
        ns_pid,
        hook_records: number_after("hook commit "),
        hook_bytes: number_after("hook sync "),
        verdict,
        stderr: end.stderr,
    }
}

/// Totals over a set of trials of one daemon.
#[derive(Debug, Default)]
pub(crate) struct Totals {
    pub(crate) trials: u64,
    pub(crate) acked: u64,
    pub(crate) lost: u64,
    pub(crate) lost_db: u64,
    pub(crate) lost_file: u64,
    pub(crate) corrupt: u64,
    pub(crate) integrity: u64,
    pub(crate) torn: u64,
    pub(crate) stale_locks: u64,
    pub(crate) killed: u64,
    pub(crate) broken_promises: u64,
}

impl Totals {
    pub(crate) fn of(trials: &[&Trial]) -> Totals {
        let mut t = Totals::default();
        for x in trials {
            let v = &x.verdict;
            t.trials += 1;
            t.acked += v.acked;
            t.lost += v.lost;
            t.lost_db += v.lost_db;
            t.lost_file += v.lost_file;
            t.corrupt += u64::from(v.corrupt());
            t.integrity += u64::from(v.integrity.is_some());
            t.torn += u64::from(v.torn_tail);
            t.stale_locks += u64::from(v.stale_lock);
            t.killed += u64::from(x.killed);
            t.broken_promises += u64::from(!x.kept_promise());
        }
        t
    }
}

/// Print the figures of one daemon's trials, each line prefixed with `label`.
pub(crate) fn print_figures(label: &str, trials: &[&Trial]) -> Totals {
    let t = Totals::of(trials);
    let per = |n: u64| n as f64 / t.trials.max(1) as f64;
    figure(
        &format!("{label}: records acknowledged"),
        format!("{} ({:.0} per trial)", t.acked, per(t.acked)),
    );
    figure(
        &format!("{label}: acknowledged records lost"),
        format!(
            "{} ({} of acknowledged; missing from sqlite {}, from the file {})",
            t.lost,
            pct(t.lost, t.acked),
            t.lost_db,
            t.lost_file
        ),
    );
    figure(
        &format!("{label}: trials losing records"),
        trials.iter().filter(|x| x.verdict.lost > 0).count(),
    );
    figure(
        &format!("{label}: corrupt trials"),
        format!(
            "{} (integrity_check failed {}, torn file tail {})",
            t.corrupt, t.integrity, t.torn
        ),
    );
    figure(&format!("{label}: stale lock files"), t.stale_locks);
    figure(
        &format!("{label}: how it ended"),
        tally(trials.iter().map(|x| x.how.clone())),
    );
    figure(
        &format!("{label}: needed SIGKILL after the grace"),
        t.killed,
    );
    let stops: Vec<Duration> = trials
        .iter()
        .filter(|x| !x.killed)
        .map(|x| x.stop)
        .collect();
    figure(&format!("{label}: SIGTERM to exit"), spread(stops));
    if trials
        .iter()
        .any(|x| x.hook_records > 0 || x.hook_bytes > 0)
    {
        let records: u64 = trials.iter().map(|x| x.hook_records).sum();
        let bytes: u64 = trials.iter().map(|x| x.hook_bytes).sum();
        figure(
            &format!("{label}: saved by the hooks"),
            format!(
                "{records} records in open batches ({:.1} per trial), {bytes} buffered bytes ({:.0} per trial)",
                per(records),
                per(bytes)
            ),
        );
    }
    t
}

/// Report trials that broke graceful's promise, with what it takes to replay them.
pub(crate) fn print_failures(trials: &[&Trial]) {
    for x in trials.iter().filter(|x| !x.kept_promise()).take(10) {
        println!(
            "FAILED {} {:?} seed={} work={}: ready={} {}; {}{}\n  stderr: {}",
            x.setup.daemon.label(),
            x.setup.wrapper,
            x.setup.seed,
            ms(x.setup.work),
            x.ready,
            x.how,
            x.verdict.problems(),
            if x.killed { "; needed SIGKILL" } else { "" },
            x.stderr.trim().replace('\n', "\n          ")
        );
    }
}

/// The options every journal-based subcommand takes.
#[derive(Debug, Clone)]
pub(crate) struct Opts {
    pub(crate) trials: usize,
    pub(crate) jobs: usize,
    pub(crate) seed: u64,
    pub(crate) work_ms: (u64, u64),
    pub(crate) grace: Duration,
}

impl Opts {
    pub(crate) fn parse(mut args: Args, trials: usize, grace: Duration) -> Result<Opts, ArgError> {
        let mut o = Opts {
            trials,
            jobs: 2,
            seed: 0,
            work_ms: (20, 300),
            grace,
        };
        let mut seed = None;
        while let Some(flag) = args.next_flag() {
            match flag.as_str() {
                "--trials" => o.trials = args.number(&flag)?,
                "--jobs" => o.jobs = args.number(&flag)?,
                "--seed" => seed = Some(args.number(&flag)?),
                "--min-ms" => o.work_ms.0 = args.number(&flag)?,
                "--max-ms" => o.work_ms.1 = args.number(&flag)?,
                "--grace-ms" => o.grace = Duration::from_millis(args.number(&flag)?),
                _ => return Err(ArgError::Unknown(flag)),
            }
        }
        o.seed = seed_or_clock(seed);
        o.work_ms.1 = o.work_ms.1.max(o.work_ms.0);
        Ok(o)
    }

    /// The setup of trial `i` of `daemon` under `wrapper`: its own seed and working time.
    pub(crate) fn setup(&self, i: usize, daemon: Daemon, wrapper: Wrapper) -> Setup {
        let seed = self.seed.wrapping_add(i as u64);
        let mut rng = Rng::new(seed);
        Setup {
            daemon,
            wrapper,
            seed,
            work: Duration::from_millis(rng.between(self.work_ms.0, self.work_ms.1)),
            grace: self.grace,
        }
    }
}

/// Run `opts.trials` trials of each daemon under `wrapper`, interleaved so both see the same
/// machine; graceful first in each pair.
pub(crate) fn both(opts: &Opts, wrapper: Wrapper, scratch: &Scratch) -> Vec<Trial> {
    run_trials(opts.trials * 2, opts.jobs, |k| {
        let daemon = if k % 2 == 0 {
            Daemon::Graceful
        } else {
            Daemon::Baseline
        };
        let i = k / 2;
        let setup = opts.setup(i, daemon, wrapper);
        let dir = scratch.trial(&format!("{:?}-{}-{i}", wrapper, daemon.label()));
        let t = trial(setup, &dir);
        scratch.done(&dir, daemon == Daemon::Baseline || t.kept_promise());
        t
    })
}

/// `killtest [journal] --trials N`: the headline test.
pub(crate) fn main(args: Args) -> Result<bool, ArgError> {
    let opts = Opts::parse(args, 500, Duration::from_secs(12))?;
    let scratch = Scratch::new("journal");
    let started = Instant::now();
    println!(
        "journal kill test: {} trials per daemon, SIGTERM after {}-{} ms of work, SIGKILL {} later, {} at a time, seed {}",
        opts.trials,
        opts.work_ms.0,
        opts.work_ms.1,
        ms(opts.grace),
        opts.jobs,
        opts.seed
    );
    let all = both(&opts, Wrapper::Direct, &scratch);
    let of = |d: Daemon| {
        all.iter()
            .filter(|t| t.setup.daemon == d)
            .collect::<Vec<_>>()
    };
    let (graceful, baseline) = (of(Daemon::Graceful), of(Daemon::Baseline));
    let g = print_figures("graceful", &graceful);
    let b = print_figures("baseline", &baseline);
    figure(
        "wall time",
        format!("{:.1} s", started.elapsed().as_secs_f64()),
    );
    print_failures(&graceful);
    println!(
        "trials={} lost={} corrupt={} stale_locks={} baseline_lost={} baseline_stale_locks={}",
        opts.trials, g.lost, g.corrupt, g.stale_locks, b.lost, b.stale_locks
    );
    Ok(g.broken_promises == 0)
}
