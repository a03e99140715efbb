#[graceful::main(signals = [SIGTERM, SIGUSR1])]
fn main() {}
