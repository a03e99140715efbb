#[graceful::on_shutdown(order = -5, name = "flush journal", timeout = "2s")]
fn flush(shutdown: &graceful::Shutdown) -> Result<(), String> {
    Err(shutdown.to_string())
}

fn main() {}
