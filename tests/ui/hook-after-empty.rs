#[graceful::on_shutdown(after = [])]
fn flush() {}

fn main() {}
