#[graceful::on_shutdown]
async fn flush() {}

fn main() {}
