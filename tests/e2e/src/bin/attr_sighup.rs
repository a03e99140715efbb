//! `#[graceful::main(signals = [SIGHUP])]`: SIGHUP starts a clean stop; SIGTERM, not in the
//! list, is left to its default action.

#[graceful::main(signals = [SIGHUP])]
fn main() -> Result<(), graceful::Shutdown> {
    println!("ready");
    loop {
        graceful::sleep(std::time::Duration::from_secs(1))?;
    }
}

#[graceful::on_shutdown]
fn after() {
    println!("hook:after");
}
