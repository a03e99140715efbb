//! `#[graceful::on_signal]`: a sync action on SIGUSR2 counts its runs, an async one on SIGUSR1
//! awaits a tokio timer (the `tokio` feature gives it a runtime), and a SIGHUP action fails.
//! With `ATTR_ON_SIGNAL_CONFLICT` set, SIGHUP is a stop signal too: the start-up refuses it.

use std::{
    sync::atomic::{AtomicU32, Ordering},
    time::Duration,
};

static RUNS: AtomicU32 = AtomicU32::new(0);

#[graceful::on_signal(SIGUSR2, name = "count")]
fn count() {
    println!("counted:{}", RUNS.fetch_add(1, Ordering::SeqCst) + 1);
}

#[graceful::on_signal(SIGUSR1)]
async fn reopen_logs() {
    tokio::time::sleep(Duration::from_millis(10)).await;
    println!("reopened");
}

#[graceful::on_signal(SIGHUP)]
fn reload() -> Result<(), String> {
    println!("reload:tried");
    Err("no such file: /etc/app.toml".into())
}

fn main() -> std::process::ExitCode {
    let mut builder = graceful::Builder::new();
    if std::env::var_os("ATTR_ON_SIGNAL_CONFLICT").is_some() {
        builder = builder.signals([graceful::Signal::SIGTERM, graceful::Signal::SIGHUP]);
    }
    builder.run(graceful_e2e::sleep_forever)
}
