#[graceful::main(timeout = 30)]
fn main() {}
