#[graceful::main]
fn main(_args: Vec<String>) {}
