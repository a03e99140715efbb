//! `#[graceful::main(quiet)]`: no report on stderr.

#[graceful::main(quiet)]
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
