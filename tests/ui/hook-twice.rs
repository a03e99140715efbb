#[graceful::on_shutdown]
#[graceful::on_shutdown(order = 1)]
fn flush() {}

fn main() {}
