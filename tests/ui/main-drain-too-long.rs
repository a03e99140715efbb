#[graceful::main(timeout = "10s", drain = "10s")]
fn main() {}
