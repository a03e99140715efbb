//! Small graceful programs for the race, storm, start-up and registration tests. Markers go
//! to stdout, one per line: `ready` once the body runs, `hook:NAME` as each hook runs,
//! `reg ID` / `run ID` as closures are registered and run.
//!
//! ```text
//! fixture race US             prints `ready NS`; main returns US µs later (signals race it)
//! fixture wait                the body waits in graceful::sleep; prints `ready NS` (CLOCK_MONOTONIC)
//! fixture register            two threads register closures until stopping begins
//! fixture register-in-hook US main returns after US µs; a hook then registers closures
//! ```

use std::{
    sync::atomic::{AtomicBool, AtomicU64, Ordering},
    time::Duration,
};

static REGISTER_IN_HOOK: AtomicBool = AtomicBool::new(false);
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

#[graceful::main]
fn main() -> Result<(), graceful::Shutdown> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_default();
    let us: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(0);
    let _ = graceful::on_shutdown("closure", || println!("hook:closure"));
    match mode.as_str() {
        "race" => {
            println!("ready {}", mono_ns());
            // Not graceful::sleep: main must return on its own while the signal is in flight.
            std::thread::sleep(Duration::from_micros(us));
            Ok(())
        }
        "wait" => {
            println!("ready {}", mono_ns());
            loop {
                graceful::sleep(Duration::from_secs(1))?;
            }
        }
        "register" => {
            for _ in 0..2 {
                std::thread::spawn(|| {
                    while !graceful::is_shutting_down() {
                        register_one("");
                        std::thread::sleep(Duration::from_micros(10));
                    }
                });
            }
            println!("ready");
            loop {
                graceful::sleep(Duration::from_secs(1))?;
            }
        }
        "register-in-hook" => {
            REGISTER_IN_HOOK.store(true, Ordering::Release);
            println!("ready");
            std::thread::sleep(Duration::from_micros(us));
            Ok(())
        }
        other => panic!("unknown mode {other:?}"),
    }
}

/// Register a closure that prints `run ID`, then print `reg ID`: a `reg` line proves the
/// closure was in the registry before anything printed later.
fn register_one(prefix: &str) {
    let id = format!("{prefix}{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let shown = id.clone();
    let _ = graceful::on_shutdown("registered", move || println!("run {shown}"));
    println!("reg {id}");
}

/// While the hooks run (main returned), register closures for a while: a signal that comes
/// now is absorbed, and the closures still run, once each.
#[graceful::on_shutdown(order = -10)]
fn registering_hook() {
    if REGISTER_IN_HOOK.load(Ordering::Acquire) {
        println!("hook:registering");
        for _ in 0..200 {
            register_one("h");
            std::thread::sleep(Duration::from_micros(10));
        }
    }
}

/// A hook with a little work in it (300 µs), so signals can land while it runs.
#[graceful::on_shutdown(order = 10)]
fn static_hook() {
    println!("hook:static");
    std::thread::sleep(Duration::from_micros(300));
}

fn mono_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec for clock_gettime to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    u64::try_from(ts.tv_sec).unwrap_or(0) * 1_000_000_000 + u64::try_from(ts.tv_nsec).unwrap_or(0)
}
