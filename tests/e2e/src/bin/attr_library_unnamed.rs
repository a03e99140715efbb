//! A binary whose package depends on `graceful-example-hooklib` but whose code never names
//! it: Rust does not link the library, so its hooks are missing. Prints `graceful::hooks()`
//! as `list:NAME`, then waits for a signal.

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
