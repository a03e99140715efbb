//! The probe listener (`GRACEFUL_PROBE`), answering through a drain and a slow hook.

use std::time::Duration;

#[graceful::main(timeout = "10s", drain = "1s")]
fn main() -> Result<(), graceful::Shutdown> {
    graceful::on_shutdown("slow", || {
        println!("hook:slow:start");
        std::thread::sleep(Duration::from_millis(1500));
    });
    println!("ready");
    loop {
        graceful::sleep(Duration::from_secs(1))?;
    }
}
