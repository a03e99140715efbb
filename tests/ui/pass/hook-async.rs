#[graceful::on_shutdown]
async fn flush() {}

#[graceful::on_shutdown(order = 2)]
async fn with_reason(shutdown: &graceful::Shutdown) -> Result<(), String> {
    let _ = shutdown.reason();
    Ok(())
}

fn main() {}
