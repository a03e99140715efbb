#[graceful::test]
#[test]
fn stops() {}

fn main() {}
