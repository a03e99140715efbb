#[graceful::main(crate = "gr")]
fn main() {}
