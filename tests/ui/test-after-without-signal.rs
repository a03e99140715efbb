#[graceful::test(after = "1s")]
fn stops() {}

fn main() {}
