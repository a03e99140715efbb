#[graceful::on_shutdown(after = self)]
fn flush() {}

fn main() {}
