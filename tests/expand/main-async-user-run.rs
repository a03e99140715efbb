// The user's own `async fn run(..)` beside an async main: the expansion's inner function has a
// name of its own.
async fn run(n: u8) -> u8 {
    n
}

#[graceful::main]
#[tokio::main(flavor = "current_thread")]
async fn main() {
    run(1).await;
}
