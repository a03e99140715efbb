//! The hook graph on closures, by scenario (the first argument): `overlap` (independent hooks,
//! one panicking, one failing, one past its timeout, then a stage after them), `deadline` (a
//! hook that never ends among others), `final` (the final stage, seeing graceful's own events
//! in a `tracing` subscriber), `cycle` (closures that name each other). Whether hooks run at
//! once is `GRACEFUL_HOOKS`'s.

use std::time::Duration;

use graceful::on_shutdown;

/// Sleep, then say so: a hook that takes `ms`.
fn takes(name: &'static str, ms: u64) -> impl FnOnce() + Send + 'static {
    move || {
        std::thread::sleep(Duration::from_millis(ms));
        println!("hook:{name}");
    }
}

fn overlap() {
    on_shutdown("a", takes("a", 1000));
    on_shutdown("b", takes("b", 1000));
    on_shutdown("panics", || {
        std::thread::sleep(Duration::from_millis(300));
        if true {
            panic!("boom");
        }
    });
    on_shutdown("fails", || -> Result<(), String> {
        std::thread::sleep(Duration::from_millis(300));
        Err("disk full".into())
    });
    on_shutdown("slow", takes("slow", 20_000)).timeout(Duration::from_millis(500));
    on_shutdown("next stage", takes("next stage", 0)).order(10);
}

fn deadline() {
    on_shutdown("forever", takes("forever", 60_000));
    on_shutdown("quick", takes("quick", 0));
}

fn final_stage() {
    graceful_e2e::seen::install();
    on_shutdown("work", takes("work", 0));
    on_shutdown("flush telemetry", || {
        println!("final-saw:{}", graceful_e2e::seen::names().join(","));
    })
    .final_stage();
    on_shutdown("final panics", || {
        if true {
            panic!("exporter gone");
        }
    })
    .final_stage();
}

fn cycle() -> Result<(), graceful::OrderError> {
    let a = on_shutdown("a", takes("a", 0));
    on_shutdown("b", takes("b", 0)).after("a")?;
    a.after("b")?;
    Ok(())
}

#[graceful::main]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    match std::env::args().nth(1).as_deref() {
        Some("overlap") => overlap(),
        Some("deadline") => deadline(),
        Some("final") => final_stage(),
        Some("cycle") => cycle()?,
        other => return Err(format!("no scenario {other:?}").into()),
    }
    println!("ready");
    loop {
        graceful::sleep(Duration::from_secs(1))?;
    }
}
