//! An HTTP service that drains under load: `#[graceful::main]` above `#[tokio::main]`.
//!
//! On SIGTERM, `graceful::shutdown()` resolves, axum stops accepting (the listener closes, so
//! new connections are refused) and lets the requests in flight finish; then `main` returns,
//! the hook writes the request counter to its file, and the process exits 0. A request that
//! is still running at `body_timeout` is dropped with the body.
//!
//! ```text
//! cargo run --example http_server            # prints: listening on 127.0.0.1:PORT
//! curl 127.0.0.1:PORT/slow/2000 & kill -TERM <pid>   # the slow request still gets its 200
//! ```
//!
//! `GET /ready` is the readiness probe. `GRACEFUL_HTTP_ADDR` sets the address (default `127.0.0.1:0`, any free port) and
//! `GRACEFUL_HTTP_COUNTER` the counter's file (default in the temp dir).

use std::{
    path::PathBuf,
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use axum::{Router, extract::Path, http::StatusCode, routing::get};

/// Requests served: the resource a hook must persist.
static SERVED: AtomicU64 = AtomicU64::new(0);

fn counter_file() -> PathBuf {
    std::env::var_os("GRACEFUL_HTTP_COUNTER").map_or_else(
        || std::env::temp_dir().join("graceful-http-served.txt"),
        PathBuf::from,
    )
}

async fn hello() -> &'static str {
    SERVED.fetch_add(1, Ordering::Relaxed);
    "hello\n"
}

/// The readiness probe: 503 from the first signal on. With a drain (`drain = "5s"` in the
/// attribute, or `GRACEFUL_DRAIN=5s`), the service keeps answering for that long while the
/// probe fails, so Kubernetes takes the pod out of its endpoints before it stops accepting.
async fn ready() -> (StatusCode, &'static str) {
    if graceful::is_ready() {
        (StatusCode::OK, "ready\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "draining\n")
    }
}

/// Takes `ms` milliseconds: a request that is in flight when SIGTERM arrives.
async fn slow(Path(ms): Path<u64>) -> String {
    println!("slow request started");
    tokio::time::sleep(Duration::from_millis(ms)).await;
    SERVED.fetch_add(1, Ordering::Relaxed);
    format!("slept {ms} ms\n")
}

#[graceful::main(timeout = "10s", body_timeout = "8s")]
#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::var("GRACEFUL_HTTP_ADDR").unwrap_or_else(|_| "127.0.0.1:0".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on {}", listener.local_addr()?);
    let app = Router::new()
        .route("/", get(hello))
        .route("/ready", get(ready))
        .route("/slow/{ms}", get(slow));
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let why = graceful::shutdown().await;
            println!("draining: {why}");
        })
        .await?;
    println!("all requests done");
    Ok(())
}

/// Runs once every request has finished (or was dropped with the body).
#[graceful::on_shutdown]
async fn save_counter() -> std::io::Result<()> {
    let served = SERVED.load(Ordering::Relaxed);
    tokio::fs::write(counter_file(), format!("{served}\n")).await?;
    println!("counter saved: {served} requests");
    Ok(())
}
