//! The hook graph, concurrent against sequential: 100 independent closures, each sleeping for
//! the milliseconds given as the first argument (100 unless told), and one static hook in a
//! later stage (`order = 1`, a barrier: it runs after all 100) that prints how many ran. The
//! body waits in `graceful::sleep` until SIGTERM. The parent picks the mode with
//! `GRACEFUL_HOOKS` and times `kill(2)` → the process's exit.
//!
//! The timeout is 60 s: 100 hooks of 100 ms one at a time take 10 s, the default timeout. The
//! body gets 1 s of it (it returns at once on the signal), the hooks the rest.

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use graceful_bench::{emit, ready};

static DONE: AtomicU64 = AtomicU64::new(0);

/// Hooks to register.
const HOOKS: u64 = 100;

#[graceful::main(timeout = "60s", body_timeout = "1s")]
fn main() -> Result<(), graceful::Shutdown> {
    let ms: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100);
    for i in 0..HOOKS {
        // Distinct names, no edges: nothing orders them within their stage.
        let _ = graceful::on_shutdown(format!("sleep {i}"), move || {
            std::thread::sleep(Duration::from_millis(ms));
            DONE.fetch_add(1, Ordering::Relaxed);
        });
    }
    ready();
    graceful::sleep(Duration::from_secs(600))?;
    Ok(())
}

#[graceful::on_shutdown(order = 1)]
fn report() {
    emit("hooks", DONE.load(Ordering::Relaxed));
}
