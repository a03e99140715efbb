// SIGKILL cannot be caught, so no action can run on it.
#[graceful::on_signal(SIGKILL)]
fn reload() {}

fn main() {}
