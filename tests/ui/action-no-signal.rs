// The signal comes first.
#[graceful::on_signal(name = "reload")]
fn reload() {}

fn main() {}
