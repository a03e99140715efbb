//! Under systemd (`$NOTIFY_SOCKET` set): `READY=1` from `graceful::systemd::ready()`, then on
//! SIGTERM `STOPPING=1` and `EXTEND_TIMEOUT_USEC=` while a slow hook runs.

use std::time::Duration;

#[graceful::main(timeout = "6s")]
fn main() -> Result<(), graceful::Shutdown> {
    let sent = graceful::systemd::ready().expect("the notify socket refused READY=1");
    println!("ready:{sent}");
    loop {
        graceful::sleep(Duration::from_secs(1))?;
    }
}

#[graceful::on_shutdown]
fn slow() {
    std::thread::sleep(Duration::from_millis(2500));
    println!("hook:slow");
}
