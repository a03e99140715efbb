//! `#[graceful::main]` over `#[tokio::main] async fn main` beside the user's own
//! `async fn run(..)`, which the expansion's inner function once shadowed. It prints `ready`,
//! then `hook:NAME` per hook.

use graceful::Shutdown;

async fn run(greeting: &str) -> String {
    greeting.to_owned()
}

#[graceful::main]
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Shutdown> {
    println!("{}", run("ready").await);
    Err(graceful::shutdown().await)
}

#[graceful::on_shutdown]
async fn shutdown(shutdown: &Shutdown) {
    println!("hook:shutdown:{}", shutdown.reason());
}
