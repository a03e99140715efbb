#[graceful::main(timeout = "5 parsecs")]
fn main() {}
