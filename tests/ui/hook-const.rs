#[graceful::on_shutdown]
const fn flush() {}

fn main() {}
