#[graceful::main]
#[graceful::main(timeout = "5s")]
fn main() {}
