#[graceful::test(signal = SIGTERM, quiet)]
fn stops() {}

fn main() {}
