#[graceful::main]
fn main<T>() {}
