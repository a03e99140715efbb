//! A program as a user writes it, with `graceful` as its only dependency: the attributes, a
//! closure hook, a hook in a module, a hook taking the `Shutdown`, a `Result` hook and an async
//! one. It prints `ready`, then one `hook:NAME` line per hook; `check.sh` stops it with a real
//! SIGTERM and compares.

use std::time::Duration;

#[graceful::main(timeout = "5s")]
fn main() -> Result<(), graceful::Shutdown> {
    // Order 0, like `in_module`: closures run before static hooks of the same order.
    let _ = graceful::on_shutdown("closure", || println!("hook:closure"));
    if std::env::var_os("EXTERNAL_TOKIO_HOOK").is_some() {
        // tokio's timer with no tokio runtime (graceful's `tokio` feature is off): a failed
        // hook whose message says what to do, never a foreign panic that ends the run.
        let _ = graceful::on_shutdown("tokio_timer", async {
            tokio::time::sleep(Duration::from_millis(1)).await;
        });
    }
    if std::env::var_os("EXTERNAL_HOOK_EXIT").is_some() {
        // Runs first (order -2): it ends with exit(4); the others still run.
        let _ = graceful::on_shutdown("exits", || -> () { graceful::exit(4) }).order(-2);
    }
    if std::env::var_os("EXTERNAL_HOOK_ERR").is_some() {
        // A failing hook (an `Err`, not a panic): reported, the others still run, exit 1.
        let _ = graceful::on_shutdown("fails", || -> Result<(), String> {
            Err("disk full".into())
        })
        .order(-2);
    }
    println!("ready");
    if std::env::var_os("EXTERNAL_EXIT").is_some() {
        graceful::exit(3);
    }
    loop {
        graceful::sleep(Duration::from_secs(1))?;
    }
}

#[graceful::on_shutdown(order = -1)]
fn first(shutdown: &graceful::Shutdown) {
    println!("hook:first:{}", shutdown.reason());
}

mod nested {
    #[graceful::on_shutdown]
    pub(crate) fn in_module() {
        println!("hook:in_module");
    }
}

#[graceful::on_shutdown(order = 1, name = "last", timeout = "1s")]
fn last_one() -> std::io::Result<()> {
    println!("hook:last");
    Ok(())
}

/// Without the `tokio` feature, graceful drives it on its own small executor.
#[graceful::on_shutdown(order = 2)]
async fn async_last() {
    println!("hook:async_last");
}
