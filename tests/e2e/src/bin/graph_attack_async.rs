//! Async hooks in a concurrent stop under `#[tokio::main]` with one worker thread: async hooks
//! with tokio timers, side by side, and one in the final stage. Markers `hook:NAME`.

use std::time::Duration;

use graceful::on_shutdown;

async fn timed(name: &'static str, ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    println!("hook:{name}");
}

#[graceful::main]
#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() -> Result<(), graceful::Shutdown> {
    on_shutdown("a", timed("a", 300));
    on_shutdown("b", timed("b", 300));
    on_shutdown("sync", || {
        std::thread::sleep(Duration::from_millis(300));
        println!("hook:sync");
    });
    on_shutdown("final async", timed("final async", 100)).final_stage();
    println!("ready");
    graceful::shutdown().await;
    Ok(())
}
