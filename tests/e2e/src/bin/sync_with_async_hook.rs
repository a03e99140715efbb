//! A synchronous `main` with an async hook: the hook is driven by graceful's own executor
//! (with the `tokio` feature, a current-thread runtime), and may await.

#[graceful::main]
fn main() {
    println!("ready");
}

#[graceful::on_shutdown]
async fn async_hook(shutdown: &graceful::Shutdown) {
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    println!("hook:async_hook:{shutdown}");
}
