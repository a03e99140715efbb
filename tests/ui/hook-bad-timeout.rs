#[graceful::on_shutdown(timeout = "2 seconds")]
fn flush() {}

fn main() {}
