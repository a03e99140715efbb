//! The other stacking: `#[tokio::main]` above `#[graceful::main]`. graceful then wraps the sync
//! `fn main` tokio wrote; async hooks run after tokio's runtime is gone, on a current-thread
//! runtime of their own (the `tokio` feature), so tokio's timer still works in them.

use std::time::Duration;

#[tokio::main]
#[graceful::main]
async fn main() {
    println!("ready");
    graceful::shutdown().await;
    println!("body:stopping");
}

#[graceful::on_shutdown]
async fn async_hook() {
    tokio::time::sleep(Duration::from_millis(20)).await;
    println!("hook:async_hook");
}
