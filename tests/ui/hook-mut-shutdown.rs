#[graceful::on_shutdown]
fn flush(shutdown: &mut graceful::Shutdown) {
    let _ = shutdown;
}

fn main() {}
