#[graceful::on_shutdown]
fn flush() {}

fn main() {}
