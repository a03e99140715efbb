//! More faults around concurrent lanes, by scenario (the first argument). Markers on stdout:
//! `hook:NAME` when a hook ran.
//!
//! - `final_timeout`: two final hooks side by side; the one on the concluding thread ends at
//!   once, the other overruns its timeout (left behind): its line must still be said.
//! - `install_*`: under `install()`, main returns on its own (no signal), with concurrent hooks.

use std::time::Duration;

use graceful::on_shutdown;

fn takes(name: &'static str, ms: u64) -> impl FnOnce() + Send + 'static {
    move || {
        std::thread::sleep(Duration::from_millis(ms));
        println!("hook:{name}");
    }
}

/// Concurrent final stage: "f quick" runs first (on the concluding thread), "f stuck" beside
/// it on a lane of its own, past its 300 ms timeout.
fn final_timeout() {
    on_shutdown("work", takes("work", 0));
    on_shutdown("f stuck", takes("f stuck", 20_000))
        .final_stage()
        .timeout(Duration::from_millis(300));
    on_shutdown("f quick", takes("f quick", 0)).final_stage();
}

/// The same, before the final stage: "quick" on the concluding thread, "stuck" beside it,
/// past its timeout. The exit is 1 and the report names "stuck".
fn stage_timeout() {
    on_shutdown("stuck", takes("stuck", 20_000)).timeout(Duration::from_millis(300));
    on_shutdown("quick", takes("quick", 0));
}

/// "fails" (on a lane of its own) returns `Err` as the last hook to end, while the concluding
/// thread waits for it: the exit is 1, and its line comes before the exit's.
fn lane_fails() {
    on_shutdown("fails", || -> Result<(), String> {
        std::thread::sleep(Duration::from_millis(200));
        println!("hook:fails");
        Err("disk full".into())
    });
    on_shutdown("quick", takes("quick", 0));
}

/// `HOOKS` hooks (default 200) that all end at the same instant, 300 ms into the stop, while
/// the concluding thread waits for them: each is in the report, before the exit.
fn same_instant() {
    let n: usize = std::env::var("HOOKS").map_or(200, |v| v.parse().unwrap());
    let at = std::sync::OnceLock::<std::time::Instant>::new();
    let at: &'static _ = Box::leak(Box::new(at));
    for i in 0..n {
        on_shutdown(format!("h{i}"), move || {
            let until = *at.get_or_init(|| std::time::Instant::now() + Duration::from_millis(300));
            std::thread::sleep(until.saturating_duration_since(std::time::Instant::now()));
        });
    }
}

#[graceful::main(concurrent_hooks)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    match std::env::args().nth(1).as_deref() {
        Some("final_timeout") => final_timeout(),
        Some("stage_timeout") => stage_timeout(),
        Some("lane_fails") => lane_fails(),
        Some("same_instant") => same_instant(),
        other => return Err(format!("no scenario {other:?}").into()),
    }
    println!("ready");
    loop {
        graceful::sleep(Duration::from_secs(1))?;
    }
}
