#[graceful::main]
fn main() -> impl std::process::Termination {}
