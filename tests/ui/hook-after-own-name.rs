#[graceful::on_shutdown(after = flush)]
fn flush() {}

fn main() {}
