//! `#[graceful::main(timeout = "1s")]` with a hook that never ends: the deadline ends the
//! process with 124 about a second after `main` returns.

#[graceful::main(timeout = "1s")]
fn main() {
    println!("ready");
}

#[graceful::on_shutdown]
fn stuck() {
    println!("hook:stuck");
    std::thread::sleep(std::time::Duration::from_secs(60));
}
