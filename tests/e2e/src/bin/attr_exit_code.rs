//! `#[graceful::main(exit_code = 7)]`: a clean stop after a signal exits 7.

#[graceful::main(exit_code = 7)]
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
