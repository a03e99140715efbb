#[graceful::on_shutdown(after = metrics::flush)]
fn close() {}

fn main() {}
