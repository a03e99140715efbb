//! Faults around the hook graph, by scenario (the first argument): `exit()` from a final hook
//! (on the concluding thread, on a lane of its own, from a `Drop` during a final hook's panic),
//! a final hook that never ends, hundreds of concurrent hooks, closures registered while the
//! hooks run (with orders, with the final stage), `exit()` from a `Drop` during a concurrent
//! hook's panic, a hook cancelling another that others run after. Markers on stdout:
//! `hook:NAME` when a hook ran.

use std::{sync::Mutex, time::Duration};

use graceful::on_shutdown;

fn takes(name: &'static str, ms: u64) -> impl FnOnce() + Send + 'static {
    move || {
        std::thread::sleep(Duration::from_millis(ms));
        println!("hook:{name}");
    }
}

/// Calls `exit(code)` when dropped (during a panic's unwinding, say).
struct ExitOnDrop(i32);
impl Drop for ExitOnDrop {
    fn drop(&mut self) {
        graceful::exit(self.0);
    }
}

/// Panics when dropped.
struct PanicOnDrop;
impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            panic!("capture's drop panics");
        }
    }
}

/// The final hook that calls `exit(3)` runs first, on the concluding thread; another final
/// hook comes after it.
fn final_exit_here() {
    on_shutdown("work", takes("work", 0));
    on_shutdown("f after", takes("f after", 0)).final_stage();
    on_shutdown("f exits", || {
        println!("hook:f exits");
        if true {
            graceful::exit(3);
        }
    })
    .final_stage();
}

/// Concurrent: the final hook that calls `exit(3)` runs on a lane of its own, beside another.
fn final_exit_lane() {
    on_shutdown("work", takes("work", 0));
    on_shutdown("f exits", || {
        std::thread::sleep(Duration::from_millis(200));
        println!("hook:f exits");
        if true {
            graceful::exit(3);
        }
    })
    .final_stage();
    on_shutdown("f first", takes("f first", 500)).final_stage();
}

/// A final hook panics, and a `Drop` on its stack calls `exit(4)` as it unwinds.
fn final_drop_exit() {
    on_shutdown("work", takes("work", 0));
    on_shutdown("f after", takes("f after", 0)).final_stage();
    on_shutdown("f panics", || {
        println!("hook:f panics");
        let _guard = ExitOnDrop(4);
        if true {
            panic!("exporter gone");
        }
    })
    .final_stage();
}

/// A hook fails (the report says exit 1), then a final hook never ends.
fn final_blocks() {
    on_shutdown("fails", || -> Result<(), String> {
        Err("disk full".into())
    });
    on_shutdown("stuck", || {
        println!("hook:stuck");
        while std::hint::black_box(true) {
            std::thread::sleep(Duration::from_secs(3600));
        }
    })
    .final_stage();
}

/// Many hooks, more than lanes, each taking a while; then a stage after them.
fn many() {
    let n: usize = std::env::var("HOOKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600);
    on_shutdown("after all", takes("after all", 0)).order(10);
    for i in 0..n {
        on_shutdown(
            format!("hook number {i} with a long name to fill the report's lines"),
            move || {
                std::thread::sleep(Duration::from_millis(300));
                println!("hook:many");
            },
        );
    }
}

/// A hook registers closures while the hooks run: one of order 1 that takes a while, one of
/// order 2, and one for the final stage.
fn late() {
    graceful_e2e::seen::install();
    on_shutdown("registers", || {
        on_shutdown("late low", takes("late low", 500)).order(1);
        on_shutdown("late high", takes("late high", 0)).order(2);
        on_shutdown("late final", || {
            let seen = graceful_e2e::seen::names().iter().any(|e| e == "exit");
            println!("hook:late final");
            println!("late-final-after-report:{seen}");
        })
        .final_stage();
        println!("hook:registers");
    });
}

/// Concurrent: a hook panics and a `Drop` on its stack calls `exit(5)` as it unwinds; another
/// runs beside it, and a stage comes after.
fn drop_exit() {
    on_shutdown("next", takes("next", 0)).order(10);
    on_shutdown("beside", takes("beside", 600));
    on_shutdown("panics", || {
        std::thread::sleep(Duration::from_millis(100));
        let _guard = ExitOnDrop(5);
        if true {
            panic!("boom");
        }
    });
}

/// A hook cancels another (whose capture panics when dropped) that a third runs after.
fn cancel_mid() {
    let victim_capture = PanicOnDrop;
    let victim = on_shutdown("victim", move || {
        let _keep = &victim_capture;
        println!("hook:victim");
    });
    let dependent = on_shutdown("dependent", takes("dependent", 0))
        .after("victim")
        .expect("victim is registered");
    let _ = dependent;
    let slot = Mutex::new(Some(victim));
    on_shutdown("canceller", move || {
        let cancelled = slot
            .lock()
            .unwrap()
            .take()
            .map(graceful::HookHandle::cancel);
        println!("cancelled:{cancelled:?}");
        println!("hook:canceller");
    })
    .before("victim")
    .expect("victim is registered");
}

#[graceful::main]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    match std::env::args().nth(1).as_deref() {
        Some("final_exit_here") => final_exit_here(),
        Some("final_exit_lane") => final_exit_lane(),
        Some("final_drop_exit") => final_drop_exit(),
        Some("final_blocks") => final_blocks(),
        Some("many") => many(),
        Some("late") => late(),
        Some("drop_exit") => drop_exit(),
        Some("cancel_mid") => cancel_mid(),
        other => return Err(format!("no scenario {other:?}").into()),
    }
    println!("ready");
    loop {
        graceful::sleep(Duration::from_secs(1))?;
    }
}
