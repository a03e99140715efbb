#[graceful::main(timeout = "5s", body_timeout = "10s")]
fn main() {}
