// Port 0 would listen where nobody knows to probe.
#[graceful::main(probe = "127.0.0.1:0")]
fn main() {}
