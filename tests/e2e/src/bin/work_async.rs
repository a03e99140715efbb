//! Tasks under `#[graceful::main]` with a current-thread tokio runtime: main returns while its
//! tasks run on the same thread, so waiting for them must not block it. `work_async SCENARIO`.

use std::time::Duration;

#[graceful::main(timeout = "6s", body_timeout = "2s")]
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), graceful::Shutdown> {
    let scenario = std::env::args().nth(1).unwrap_or_default();
    graceful::on_shutdown("after", || println!("hook:after"));
    match scenario.as_str() {
        // main returns at once: the task, on this very thread, still finishes first.
        "task_awaited" => {
            graceful::spawn("sync", async {
                tokio::time::sleep(Duration::from_millis(500)).await;
                println!("sync:done");
            })
            .unwrap();
            println!("ready");
        }
        // A task that fails stops the program, named.
        "task_panics" => {
            graceful::spawn("poller", async {
                tokio::time::sleep(Duration::from_millis(100)).await;
                if true {
                    panic!("poll failed");
                }
            })
            .unwrap();
            println!("ready");
            graceful::shutdown().await;
        }
        // A task still running at body_timeout: named, 124, the hooks still run.
        "task_late" => {
            graceful::spawn("forever", async {
                tokio::time::sleep(Duration::from_secs(3600)).await;
            })
            .unwrap();
            println!("ready");
        }
        // An async closure hook, awaited on main's own runtime: tokio's timer works in it.
        "async_closure_hook" => {
            let (tx, mut rx) = tokio::sync::mpsc::channel::<&'static str>(1);
            graceful::on_shutdown("drain channel", async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                println!("hook:drained:{}", rx.recv().await.unwrap_or("none"));
            });
            tx.send("last message").await.unwrap();
            println!("ready");
        }
        // Code written against tokio-util's token stops with the program (tokio-util feature).
        "cancellation_token" => {
            let token = graceful::cancellation_token();
            graceful::spawn("listener", async move {
                token.cancelled().await;
                println!("token:cancelled");
            })
            .unwrap();
            println!("ready");
            graceful::shutdown().await;
        }
        // A task whose future panics when dropped, after it completed: a failure like any.
        "drop_panics" => {
            struct DropPanics;
            impl std::future::Future for DropPanics {
                type Output = ();
                fn poll(
                    self: std::pin::Pin<&mut Self>,
                    _: &mut std::task::Context<'_>,
                ) -> std::task::Poll<()> {
                    std::task::Poll::Ready(())
                }
            }
            impl Drop for DropPanics {
                fn drop(&mut self) {
                    panic!("dropped badly");
                }
            }
            graceful::spawn("dropper", DropPanics).unwrap();
            println!("ready");
            graceful::shutdown().await;
        }
        // A long sleep in async code that ends at the stop, on any executor.
        "cancel" => {
            println!("ready");
            match graceful::cancel_on_shutdown(tokio::time::sleep(Duration::from_secs(3600))).await
            {
                Ok(()) => println!("slept"),
                Err(why) => println!("cancelled:{why}"),
            }
            let done = graceful::cancel_on_shutdown(async { 7 }).await;
            println!("after the stop:{done:?}");
        }
        other => eprintln!("unknown scenario {other:?}"),
    }
    Ok(())
}
