//! A binary that uses `graceful-example-hooklib` (so Rust links it): the library's hooks,
//! `flush_metrics` (order -10) and `close_pool` (order 50), run interleaved with this
//! binary's own by `order`.

use std::time::Duration;

use graceful_example_hooklib as hooklib;

#[graceful::main]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    hooklib::connect(2);
    hooklib::query("SELECT 1")?;
    println!("ready");
    loop {
        graceful::sleep(Duration::from_secs(1))?;
    }
}

/// Uses the pool: before `flush_metrics` (-10), so its query is counted.
#[graceful::on_shutdown(order = -20)]
fn release_jobs() -> Result<(), hooklib::PoolError> {
    hooklib::query("UPDATE jobs SET owner = NULL")?;
    println!("hook:release_jobs");
    Ok(())
}

#[graceful::on_shutdown]
fn goodbye() {
    println!("hook:goodbye");
}

#[graceful::on_shutdown(order = 60)]
fn last() {
    println!("hook:last:{}", hooklib::open_connections());
}
