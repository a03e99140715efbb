//! Concurrent hooks under `#[tokio::main(flavor = "current_thread")]`: an async hook awaits a
//! tokio timer made on the program's runtime (as a hook closing a connection made in `main`
//! awaits that runtime's reactor), while a quick sync hook runs first on the runtime's thread.
//! With the argument `final`, the async hook is a final one. Markers `hook:NAME`.

use std::time::Duration;

use graceful::on_shutdown;

#[graceful::main]
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), graceful::Shutdown> {
    // Made here, on the program's runtime: its timer is that runtime's.
    let timer = tokio::time::sleep(Duration::from_millis(1500));
    let hook = on_shutdown("on main's runtime", async move {
        timer.await;
        println!("hook:on main's runtime");
    });
    // `final`: the async hook is in the final stage.
    if std::env::args().nth(1).as_deref() == Some("final") {
        hook.final_stage();
    }
    on_shutdown("quick", || {
        std::thread::sleep(Duration::from_millis(100));
        println!("hook:quick");
    });
    println!("ready");
    graceful::shutdown().await;
    Ok(())
}
