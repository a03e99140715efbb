#[graceful::main(signals = [])]
fn main() {}
