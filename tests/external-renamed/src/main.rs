//! graceful under another name: the dependency is renamed `gr`, so no `::graceful` path exists
//! in this crate, and both attributes are told where graceful is with `crate = gr`. It prints
//! `ready`, then one `hook:NAME` line per hook, in run order.

use std::time::Duration;

#[gr::main(crate = gr, timeout = "5s")]
fn main() -> Result<(), gr::Shutdown> {
    gr::on_shutdown("closure", || println!("hook:closure"));
    println!("ready");
    loop {
        gr::sleep(Duration::from_secs(1))?;
    }
}

#[gr::on_shutdown(crate = gr, order = -1)]
fn first(shutdown: &gr::Shutdown) {
    println!("hook:first:{}", shutdown.reason());
}

#[gr::on_shutdown(crate = gr, order = 1, name = "last", timeout = "1s")]
fn last_one() -> std::io::Result<()> {
    println!("hook:last");
    Ok(())
}

#[gr::on_shutdown(crate = gr, order = 2)]
async fn async_last() {
    println!("hook:async_last");
}
