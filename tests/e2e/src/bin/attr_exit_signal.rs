//! `#[graceful::main(exit_code = "signal")]`: after a clean stop the process dies of the
//! signal that stopped it, so a shell or supervisor sees 128 + its number.

#[graceful::main(exit_code = "signal")]
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
