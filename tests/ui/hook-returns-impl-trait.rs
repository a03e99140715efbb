#[graceful::on_shutdown]
fn flush() -> impl std::fmt::Debug {}

fn main() {}
