//! A service with child processes handed to graceful (`graceful::child`): one that traps
//! SIGTERM and exits 200 ms later, one that ignores it (killed at its 1 s budget), and a tree
//! (a shell with two `sleep`s) in a process group of its own, stopped as a group. On SIGTERM
//! graceful stops them, reaps them and reports each, then runs the hook.
//!
//! It prints `group PGID` and `ready`; the hook prints `hook:close`.

use std::{os::unix::process::CommandExt, process::Command, time::Duration};

fn sh(script: &str) -> Command {
    let mut c = Command::new("sh");
    c.args(["-c", script]);
    c
}

#[graceful::main(timeout = "10s", body_timeout = "5s")]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let polite = sh("trap 'sleep 0.2; exit 0' TERM; while :; do sleep 0.05; done").spawn()?;
    graceful::child("polite", polite).supervise()?;
    let stubborn = sh("trap '' TERM; while :; do sleep 0.05; done").spawn()?;
    graceful::child("stubborn", stubborn)
        .budget(Duration::from_secs(1))
        .supervise()?;
    let tree = sh("sleep 60 & sleep 60 & wait").process_group(0).spawn()?;
    let pgid = graceful::child("tree", tree).process_group().supervise()?;
    println!("group {pgid}");
    let _ = graceful::on_shutdown("close", || println!("hook:close"));
    // Give the shells a moment to set their traps.
    std::thread::sleep(Duration::from_millis(300));
    graceful_e2e::sleep_forever()?;
    Ok(())
}
