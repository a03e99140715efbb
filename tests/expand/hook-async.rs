#[graceful::on_shutdown]
async fn save() {}

#[graceful::on_shutdown(order = 1)]
async fn save_why(shutdown: &graceful::Shutdown) -> Result<(), String> {
    Err(shutdown.to_string())
}

fn main() {}
