#[graceful::on_shutdown(name = "")]
fn flush() {}

fn main() {}
