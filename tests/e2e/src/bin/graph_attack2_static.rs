//! Static hooks ordered by `after`, against their base order (by name, "a_flush" would run
//! before "b_close"), beside closures whose edges form a cycle (the first argument `cycle`) or
//! go against the stages (`against`). Markers on stdout: `hook:NAME` when a hook ran.

use std::time::Duration;

use graceful::on_shutdown;

#[graceful::on_shutdown]
fn b_close() {
    std::thread::sleep(Duration::from_millis(200));
    println!("hook:b_close");
}

/// Must run after `b_close`, whatever the closures do.
#[graceful::on_shutdown(after = b_close)]
fn a_flush() {
    println!("hook:a_flush");
}

#[graceful::main]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    match std::env::args().nth(1).as_deref() {
        Some("cycle") => {
            let x = on_shutdown("x", || println!("hook:x"));
            let y = on_shutdown("y", || println!("hook:y"));
            x.after("y")?;
            y.after("x")?;
        }
        Some("against") => {
            on_shutdown("later", || println!("hook:later")).order(5);
            on_shutdown("early", || println!("hook:early")).after("later")?;
        }
        other => return Err(format!("no scenario {other:?}").into()),
    }
    println!("ready");
    loop {
        graceful::sleep(Duration::from_secs(1))?;
    }
}
