#[graceful::main(timeout = "30s", quiet, timeout = "10s")]
fn main() {}
