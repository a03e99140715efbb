#[graceful::on_shutdown]
fn flush(shutdown: &graceful::Shutdown, attempts: u32) {
    let _ = (shutdown, attempts);
}

fn main() {}
