#[graceful::main(grace_period = "30s")]
fn main() {}
