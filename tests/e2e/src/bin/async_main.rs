//! `#[graceful::main]` above `#[tokio::main]`: the async body, async hooks awaited on the
//! program's runtime, the body dropped at `body_timeout`. `async_main SCENARIO`; markers on
//! stdout as in `scenario`.

use std::{sync::OnceLock, time::Duration};

static SCENARIO: OnceLock<String> = OnceLock::new();

fn scenario() -> &'static str {
    SCENARIO.get().map_or("", String::as_str)
}

struct Noisy(&'static str);
impl Drop for Noisy {
    fn drop(&mut self) {
        println!("drop:{}", self.0);
    }
}

#[graceful::main(timeout = "4s", body_timeout = "500ms")]
#[tokio::main]
async fn main() -> Result<(), graceful::Shutdown> {
    SCENARIO.get_or_init(|| std::env::args().nth(1).unwrap_or_default());
    let _guard = Noisy("body");
    println!("ready");
    match scenario() {
        // Ignores shutdown entirely: dropped at body_timeout, its Drop still runs.
        "ignore" => tokio::time::sleep(Duration::from_secs(3600)).await,
        "exit" => {
            tokio::time::sleep(Duration::from_millis(50)).await;
            graceful::exit(3)
        }
        _ => {
            let why = tokio::select! {
                why = graceful::shutdown() => why,
                _ = tokio::time::sleep(Duration::from_secs(3600)) => unreachable!(),
            };
            println!("body:{why}");
            return Err(why);
        }
    }
    Ok(())
}

/// Uses tokio's timer: proves the hook runs on the program's runtime.
#[graceful::on_shutdown(order = 1)]
async fn async_flush(shutdown: &graceful::Shutdown) {
    tokio::time::sleep(Duration::from_millis(20)).await;
    println!("hook:async_flush:{shutdown}");
}

#[graceful::on_shutdown(order = 2, timeout = "300ms")]
async fn slow_async() -> Result<(), String> {
    let _guard = Noisy("slow_async");
    if scenario() == "hook_timeout" {
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
    println!("hook:slow_async");
    Ok(())
}

#[graceful::on_shutdown(order = 3)]
fn sync_after() {
    println!("hook:sync_after");
}
