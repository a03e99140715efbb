#[graceful::on_shutdown]
struct Journal;

fn main() {}
