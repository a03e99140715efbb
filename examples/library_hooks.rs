//! A binary whose cleanup is partly a library's: `graceful-example-hooklib` (in
//! `examples/hooklib/`) registers `flush_metrics` (order -10) and `close_pool` (order 50) with
//! `#[graceful::on_shutdown]`; this binary adds its own hooks around them. On SIGTERM all four
//! run in one list sorted by `order`, whichever crate declared them:
//!
//! ```text
//! -20  release_jobs    (this binary)  needs the pool, so it runs before close_pool
//! -10  flush_metrics   (hooklib)
//!   0  goodbye         (this binary)
//!  50  close_pool      (hooklib)
//! ```
//!
//! Run it and stop it with Ctrl-C or `kill <pid>`, or let it send itself a real SIGTERM:
//!
//! ```text
//! cargo run --example library_hooks -- --demo
//! ```
//!
//! # The library must be linked
//! This binary calls `hooklib::connect` and `hooklib::query`, so Rust links the library, and
//! its hooks with it. A dependency that the binary's code never names is not linked at all:
//! listing it in `Cargo.toml` is not enough, and its hooks would be silently missing. To keep
//! a library only for its hooks, name it:
//!
//! ```ignore
//! use graceful_example_hooklib as _;
//! ```

use std::time::Duration;

use graceful_example_hooklib as hooklib;

#[graceful::main(timeout = "5s")]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    hooklib::connect(4);
    if std::env::args().any(|a| a == "--demo") {
        send_myself_sigterm_after(Duration::from_millis(1000));
    }
    println!(
        "serving (pid {}); stop it with Ctrl-C or SIGTERM",
        std::process::id()
    );
    for job in 1.. {
        hooklib::query("SELECT * FROM jobs LIMIT 1")?;
        println!("job {job} done");
        graceful::sleep(Duration::from_millis(300))?; // Err(Shutdown) at once on SIGTERM
    }
    Ok(())
}

/// Hands the jobs this process holds back to the queue: it needs the pool, so it runs before
/// the library closes it (order 50), and before the metrics are flushed (order -10) so its
/// query is counted.
#[graceful::on_shutdown(order = -20)]
fn release_jobs() -> Result<(), hooklib::PoolError> {
    hooklib::query("UPDATE jobs SET owner = NULL")?;
    println!("jobs released");
    Ok(())
}

#[graceful::on_shutdown]
fn goodbye() {
    println!("goodbye");
}

/// The demo stops itself with a real SIGTERM, sent by kill(1), as `docker stop` would.
fn send_myself_sigterm_after(delay: Duration) {
    std::thread::spawn(move || {
        std::thread::sleep(delay);
        println!("(demo) sending SIGTERM to myself");
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &std::process::id().to_string()])
            .status();
    });
}
