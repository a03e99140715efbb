// `second_signal` is "force" or "ignore".
#[graceful::main(second_signal = "twice")]
fn main() {}
