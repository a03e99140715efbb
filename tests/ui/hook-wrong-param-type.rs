#[graceful::on_shutdown]
fn flush(path: &str) {
    let _ = path;
}

fn main() {}
