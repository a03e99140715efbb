//! A library that owns its runtime and its signals, as static-web-server does: it builds its
//! own tokio runtime inside a blocking call, listens for SIGTERM and SIGQUIT itself, and drains
//! for its own grace period before it returns. It has no way to be told to stop, so graceful
//! does not tell it: both see the signal (tokio's handlers and graceful's share
//! signal-hook-registry, which calls each), the library stops by itself, main returns, and the
//! hooks run. SIGQUIT is in `signals`, so graceful reports it as the signal it is.
//!
//! The budget rule: the library's grace period (500 ms) < `body_timeout` (5s) <= `timeout`.

use std::time::Duration;

use graceful_e2e::mark;

/// The library: serve until its own signal, then drain for `grace`.
mod library {
    use std::time::Duration;

    use tokio::signal::unix::{SignalKind, signal};

    pub(crate) fn serve(grace: Duration) -> std::io::Result<()> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        rt.block_on(async {
            let mut term = signal(SignalKind::terminate())?;
            let mut quit = signal(SignalKind::quit())?;
            println!("ready");
            let which = tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = quit.recv() => "SIGQUIT",
            };
            println!("library: {which}, draining");
            tokio::time::sleep(grace).await;
            println!("library: drained");
            Ok(())
        })
    }
}

#[graceful::main(signals = [SIGTERM, SIGINT, SIGQUIT], timeout = "10s", body_timeout = "5s")]
fn main() -> std::io::Result<()> {
    graceful::on_shutdown("flush", mark("flush"));
    // OWNS_SIGNALS_GRACE_MS: a grace period above body_timeout, to break the budget rule.
    let grace = std::env::var("OWNS_SIGNALS_GRACE_MS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    library::serve(Duration::from_millis(grace))
}
