//! `killtest storm`: bursts of SIGTERM, thousands back to back, at a process waiting in
//! `graceful::sleep`. The contract: the first signal starts the stop, a second forces the exit
//! (the process dies of SIGTERM), hooks run at most once, and the process always exits.

use std::time::{Duration, Instant};

use killtest::{ArgError, Args};

use super::{
    command, figure,
    proc::{self, Proc},
    run_trials, spread, tally,
};

struct Burst {
    sent: usize,
    sending: Duration,
    exit_after: Duration,
    how: String,
    killed: bool,
    static_runs: usize,
    closure_runs: usize,
    forced: bool,
}

impl Burst {
    fn ok(&self) -> bool {
        !self.killed
            && self.static_runs <= 1
            && self.closure_runs <= 1
            && (self.how == "killed by SIGTERM" || self.how == "exit 0")
    }
}

pub(crate) fn main(mut args: Args) -> Result<bool, ArgError> {
    let (mut bursts, mut signals, mut jobs) = (100usize, 10_000usize, 2usize);
    while let Some(flag) = args.next_flag() {
        match flag.as_str() {
            "--bursts" => bursts = args.number(&flag)?,
            "--signals" => signals = args.number(&flag)?,
            "--jobs" => jobs = args.number(&flag)?,
            _ => return Err(ArgError::Unknown(flag)),
        }
    }
    println!(
        "storm: {bursts} bursts of {signals} SIGTERM sent back to back with kill(2), each at a fresh process waiting in graceful::sleep"
    );
    let started = Instant::now();
    let all = run_trials(bursts, jobs, |_| {
        let mut cmd = command("fixture");
        cmd.arg("wait");
        let p = Proc::spawn(cmd).expect("start the fixture");
        p.wait_line("ready", Duration::from_secs(10));
        let pid = p.pid();
        let t0 = Instant::now();
        // One thread sends the burst while this one watches for the exit. The child is not
        // reaped until the burst is over (`exited` does not reap), so its pid stays ours.
        let (sent, sending, exited_at) = std::thread::scope(|s| {
            let sender = s.spawn(|| {
                let sent = (0..signals)
                    .filter(|_| proc::signal(pid, libc::SIGTERM))
                    .count();
                (sent, t0.elapsed())
            });
            let deadline = t0 + Duration::from_secs(15);
            while !p.exited() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_micros(100));
            }
            let exited_at = t0.elapsed();
            let (sent, sending) = sender.join().expect("the sender");
            (sent, sending, exited_at)
        });
        let end = p.wait(Duration::from_secs(15), pid);
        Burst {
            sent,
            sending,
            exit_after: exited_at,
            how: end.how(),
            killed: end.killed,
            static_runs: end.count("hook:static"),
            closure_runs: end.count("hook:closure"),
            forced: end.stderr.contains("second signal"),
        }
    });
    let ok = all.iter().filter(|b| b.ok()).count();
    let sent: usize = all.iter().map(|b| b.sent).sum();
    figure("storm: bursts", bursts);
    figure(
        "storm: signals sent (kill(2) succeeded)",
        format!("{sent} of {}", bursts * signals),
    );
    figure(
        "storm: time to send one burst",
        spread(all.iter().map(|b| b.sending).collect()),
    );
    figure(
        "storm: how it ended",
        tally(all.iter().map(|b| b.how.clone())),
    );
    figure(
        "storm: report said \"second signal\"",
        all.iter().filter(|b| b.forced).count(),
    );
    figure(
        "storm: first signal to exit",
        spread(all.iter().map(|b| b.exit_after).collect()),
    );
    figure(
        "storm: hooks ran (static / closure)",
        format!(
            "once: {} / {}, never: {} / {}, more than once: {} / {}",
            all.iter().filter(|b| b.static_runs == 1).count(),
            all.iter().filter(|b| b.closure_runs == 1).count(),
            all.iter().filter(|b| b.static_runs == 0).count(),
            all.iter().filter(|b| b.closure_runs == 0).count(),
            all.iter().filter(|b| b.static_runs > 1).count(),
            all.iter().filter(|b| b.closure_runs > 1).count(),
        ),
    );
    figure(
        "storm: hung (needed SIGKILL)",
        all.iter().filter(|b| b.killed).count(),
    );
    figure(
        "wall time",
        format!("{:.1} s", started.elapsed().as_secs_f64()),
    );
    println!(
        "storm bursts={bursts} signals={signals} ok={ok} failed={}",
        bursts - ok
    );
    Ok(ok == bursts)
}
