#[graceful::main(signals = [SIGTERM, SIGINT, SIGTERM])]
fn main() {}
