// An action takes no parameters: one that needs values is a closure, registered at run time.
#[graceful::on_signal(SIGHUP)]
fn reload(path: &str) {
    let _ = path;
}

fn main() {}
