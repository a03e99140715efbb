// A stop signal cannot run an action: it stops the program.
#[graceful::on_signal(SIGTERM)]
fn reload() {}

fn main() {}
