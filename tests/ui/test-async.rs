#[graceful::test]
async fn stops() {}

fn main() {}
