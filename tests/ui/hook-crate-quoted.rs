#[graceful::on_shutdown(crate = "gr")]
fn flush() {}

fn main() {}
