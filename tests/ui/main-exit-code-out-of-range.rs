#[graceful::main(exit_code = 256)]
fn main() {}
