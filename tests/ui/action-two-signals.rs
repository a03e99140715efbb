// An action has one signal.
#[graceful::on_signal(SIGHUP, SIGUSR1)]
fn reload() {}

fn main() {}
