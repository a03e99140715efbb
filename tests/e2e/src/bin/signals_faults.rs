//! Signal actions and child processes under faults (a review of issue 13): one fixture, its scenario in
//! `SIGNALS_FAULTS`. It prints `ready` once set up; child pids as `child PID`.

use std::{
    os::unix::process::CommandExt,
    process::{Command, Stdio},
    sync::atomic::{AtomicU32, Ordering},
    time::Duration,
};

use graceful::{Builder, Signal};

fn sh(script: &str) -> Command {
    let mut c = cmd("sh");
    c.args(["-c", script]);
    c
}

/// A command that does not keep the fixture's stdout and stderr open: one left running after
/// the fixture exits must not hold the test's pipes.
fn cmd(program: &str) -> Command {
    let mut c = Command::new(program);
    c.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

fn ms(var: &str, default: u64) -> Duration {
    Duration::from_millis(
        std::env::var(var)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default),
    )
}

static RUNS: AtomicU32 = AtomicU32::new(0);

fn main() -> std::process::ExitCode {
    let scenario = std::env::var("SIGNALS_FAULTS").expect("SIGNALS_FAULTS");
    let builder = Builder::new()
        .timeout(ms("SF_TIMEOUT_MS", 4000))
        .body_timeout(ms("SF_BODY_TIMEOUT_MS", 2000));
    let _ = graceful::on_shutdown("close", || println!("hook:close"));
    match scenario.as_str() {
        // A SIGHUP action that never returns.
        "action_blocks" => {
            graceful::on_signal(Signal::SIGHUP, "stuck", || -> () {
                println!("action:start");
                loop {
                    std::thread::sleep(Duration::from_secs(1));
                }
            })
            .unwrap();
        }
        // A SIGHUP action that calls graceful::exit(3).
        "action_exit" => {
            graceful::on_signal(Signal::SIGHUP, "exits", || -> () {
                println!("action:start");
                graceful::exit(3);
            })
            .unwrap();
        }
        // A SIGHUP action that panics; SIGUSR1 proves the service still runs.
        "action_panics" => {
            graceful::on_signal(Signal::SIGHUP, "panics", || -> () {
                println!("action:start");
                panic!("boom in the action");
            })
            .unwrap();
            graceful::on_signal(Signal::SIGUSR1, "alive", || println!("alive")).unwrap();
        }
        // A SIGHUP action that registers an action, a hook and a thread of graceful's.
        "action_reenters" => {
            graceful::on_signal(Signal::SIGHUP, "reenters", || {
                println!("action:start");
                graceful::on_signal(Signal::SIGUSR2, "inner", || println!("inner")).unwrap();
                let _ = graceful::on_shutdown("from-action", || println!("hook:from-action"));
                let _ = graceful::thread::spawn("from-action", || {
                    std::thread::sleep(Duration::from_millis(300));
                    println!("thread:done");
                });
                println!("action:end");
            })
            .unwrap();
        }
        // A slow SIGHUP action counting its runs.
        "action_slow" => {
            let slow = ms("SF_ACTION_MS", 300);
            graceful::on_signal(Signal::SIGHUP, "slow", move || {
                let n = RUNS.fetch_add(1, Ordering::SeqCst) + 1;
                println!("run:{n}");
                std::thread::sleep(slow);
                println!("done:{n}");
            })
            .unwrap();
        }
        // A SIGHUP action that fails once with a two-line error, then succeeds.
        "action_fails_once" => {
            graceful::on_signal(Signal::SIGHUP, "reload", || -> Result<(), String> {
                let n = RUNS.fetch_add(1, Ordering::SeqCst) + 1;
                println!("run:{n}");
                if n == 1 {
                    return Err("expected `=` at line 3\n3 | port 80".into());
                }
                Ok(())
            })
            .unwrap();
        }
        // An async action awaiting a tokio timer.
        "action_async" => {
            graceful::on_signal(Signal::SIGHUP, "async", || async {
                tokio::time::sleep(Duration::from_millis(10)).await;
                println!("async:done");
            })
            .unwrap();
        }
        _ => {}
    }
    builder.run(move || -> Result<(), Box<dyn std::error::Error>> {
        match scenario.as_str() {
            // A child that ignores SIGTERM, said to lead a group it does not lead.
            "child_not_leader" => {
                let c = sh("trap '' TERM; while :; do sleep 0.05; done").spawn()?;
                let pid = graceful::child("not-a-leader", c)
                    .budget(Duration::from_millis(300))
                    .process_group()
                    .supervise()?;
                println!("child {pid}");
            }
            // A child that ignores SIGTERM, with a budget past body_timeout and the deadline.
            "child_long_budget" => {
                let c = sh("trap '' TERM; while :; do sleep 0.05; done").spawn()?;
                let pid = graceful::child("long", c)
                    .budget(Duration::from_secs(60))
                    .supervise()?;
                println!("child {pid}");
            }
            // A child that exits by itself long before the stop.
            "child_early" => {
                let c = sh("exit 3").spawn()?;
                let pid = graceful::child("early", c).supervise()?;
                println!("child {pid}");
                std::thread::sleep(Duration::from_millis(1500));
            }
            // Many children, each stopped by SIGTERM.
            "child_many" => {
                let n: usize = std::env::var("SF_N")
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(300);
                for i in 0..n {
                    let c = cmd("sleep").arg("60").spawn()?;
                    graceful::child(format!("sleep-{i}"), c)
                        .budget(Duration::from_millis(500))
                        .supervise()?;
                }
            }
            // Many children that exited long before the stop (a child per job).
            "child_churn" => {
                let n: usize = std::env::var("SF_N")
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(300);
                for i in 0..n {
                    let c = cmd("true").spawn()?;
                    graceful::child(format!("job-{i}"), c).supervise()?;
                }
                std::thread::sleep(Duration::from_millis(1500));
            }
            // A child stopped with SIGSTOP before the stop: its SIGTERM cannot be delivered.
            "child_sigstopped" => {
                let c = cmd("sleep").arg("60").spawn()?;
                let pid = graceful::child("frozen", c)
                    .budget(Duration::from_millis(300))
                    .supervise()?;
                // SAFETY: kill(2) on our own child.
                unsafe { libc::kill(pid as i32, libc::SIGSTOP) };
                println!("child {pid}");
            }
            // A child whose status the program reaps itself (a SIGCHLD reaper of its own).
            "child_user_reaps" => {
                let c = sh("exit 7").spawn()?;
                let pid = graceful::child("reaped-elsewhere", c).supervise()?;
                let mut status = 0;
                // SAFETY: waitpid(2) on our own child.
                unsafe { libc::waitpid(pid as i32, &mut status, 0) };
                println!("child {pid}");
            }
            // A group leader that exits at SIGTERM, and a member of its group that ignores it.
            "child_group_grandchildren" => {
                let c = sh("trap '' TERM; sleep 60 & trap 'exit 0' TERM; wait")
                    .process_group(0)
                    .spawn()?;
                let pid = graceful::child("tree", c)
                    .budget(Duration::from_millis(300))
                    .process_group()
                    .supervise()?;
                println!("child {pid}");
            }
            _ => {}
        }
        std::thread::sleep(Duration::from_millis(200));
        graceful_e2e::sleep_forever()?;
        Ok(())
    })
}
