#[graceful::main]
#[tokio::main]
fn main() {}
