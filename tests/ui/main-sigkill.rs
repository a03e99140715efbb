#[graceful::main(signals = [SIGTERM, SIGKILL])]
fn main() {}
