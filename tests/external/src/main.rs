//! A program as a user writes it, with `graceful` as its only dependency: the attributes, a
//! closure hook, a hook in a module, a hook taking the `Shutdown`, a `Result` hook and an async
//! one. It prints `ready`, then one `hook:NAME` line per hook; `check.sh` stops it with a real
//! SIGTERM and compares.

use std::time::Duration;

#[graceful::main(timeout = "5s")]
fn main() -> Result<(), graceful::Shutdown> {
    // Order 0, like `in_module`: closures run before static hooks of the same order.
    let _ = graceful::on_shutdown("closure", || println!("hook:closure"));
    println!("ready");
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
