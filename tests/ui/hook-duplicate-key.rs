#[graceful::on_shutdown(order = 1, name = "flush", order = 2)]
fn flush() {}

fn main() {}
