#[graceful::main]
extern "C" fn main() {}
