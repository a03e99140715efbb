#[graceful::main(timeout = "5s")]
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), graceful::Shutdown> {
    tokio::select! {
        why = graceful::shutdown() => Err(why),
        _ = tokio::task::yield_now() => Ok(()),
    }
}
