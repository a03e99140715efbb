#[graceful::on_shutdown(after = [1])]
fn flush() {}

fn main() {}
