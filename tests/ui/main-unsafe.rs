#[graceful::main]
unsafe fn main() {}
