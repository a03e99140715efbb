#[graceful::on_shutdown(priority = 1)]
fn flush() {}

fn main() {}
