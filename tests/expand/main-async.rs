#[graceful::main(timeout = "20s")]
#[tokio::main]
async fn main() -> Result<(), graceful::Shutdown> {
    graceful::shutdown().await;
    Ok(())
}
