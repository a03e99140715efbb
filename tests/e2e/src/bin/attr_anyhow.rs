//! `main` returning `anyhow::Result<()>`. `attr_anyhow MODE`:
//! - `plain`: `graceful::sleep(..)?` turns the `Shutdown` into an `anyhow::Error`;
//! - `context`: the same, wrapped once more by `.context(..)`;
//! - `fail`: `bail!("no database")`, a real failure.

use anyhow::Context;

#[graceful::main]
fn main() -> anyhow::Result<()> {
    let mode = std::env::args().nth(1).unwrap_or_default();
    if mode == "fail" {
        anyhow::bail!("no database");
    }
    println!("ready");
    loop {
        let slept = graceful::sleep(std::time::Duration::from_secs(1));
        if mode == "context" {
            slept.context("waiting for the next job")?;
        } else {
            slept?;
        }
    }
}

#[graceful::on_shutdown]
fn after() {
    println!("hook:after");
}
