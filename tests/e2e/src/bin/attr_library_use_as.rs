//! A binary that wants only the hooks of `graceful-example-hooklib`: `use ... as _;` names the
//! crate, so Rust links it, hooks and all. Prints `graceful::hooks()` as `list:NAME`, then
//! waits for a signal.

use graceful_example_hooklib as _;

#[graceful::main]
fn main() -> Result<(), graceful::Shutdown> {
    for hook in graceful::hooks() {
        println!("list:{}", hook.name());
    }
    println!("ready");
    loop {
        graceful::sleep(std::time::Duration::from_secs(1))?;
    }
}

#[graceful::on_shutdown]
fn own() {
    println!("hook:own");
}
