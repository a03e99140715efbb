//! actix-web under graceful: a slow download in flight at SIGTERM completes, then the process
//! exits 0.
//!
//! actix stops when `graceful::shutdown()` resolves (its `shutdown_signal`, which also turns off
//! its own signal handling), stops accepting, and lets the requests in flight finish for at most
//! its `shutdown_timeout`, then drops them. The budget rule keeps each step inside the next:
//!
//! ```text
//! actix's shutdown_timeout (3s)  <  body_timeout (5s)  <=  timeout (10s)
//! ```
//!
//! With actix's own default of 30 s the rule is broken: a request that outlasts `body_timeout`
//! keeps `main` inside `HttpServer::run`, graceful abandons it at 5 s, runs the hooks and exits
//! 124, and its report names the download (each one is a [`graceful::hold`]) and the rule.
//!
//! ```text
//! cargo run --example actix_download      # prints: listening on 127.0.0.1:PORT
//! curl -o /dev/null 127.0.0.1:PORT/download/2 & kill -TERM <pid>   # the 2 s download completes
//! ACTIX_SHUTDOWN_TIMEOUT=30 cargo run --example actix_download     # the rule broken: 124
//! ```
//!
//! A download longer than actix's own timeout is cut by actix, which then returns as from a
//! clean stop: graceful cannot tell, so the download says so itself when it is dropped unfinished.

use std::{
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use actix_web::{
    App, HttpRequest, HttpResponse, HttpServer, rt,
    web::{self, Bytes},
};
use futures_core::Stream;

/// A download of `left` chunks of 1 KiB, one every 250 ms. It holds the stop while it runs, so
/// graceful knows it is in flight.
struct Download {
    left: u32,
    chunks: u32,
    tick: rt::time::Interval,
    _in_flight: graceful::Hold,
}

impl Stream for Download {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        self.tick.poll_tick(cx).map(|_| {
            self.left -= 1;
            Some(Ok(Bytes::from_static(&[b'x'; CHUNK])))
        })
    }
}

/// Dropped with chunks left: actix cut it (at its `shutdown_timeout`, or the client left).
impl Drop for Download {
    fn drop(&mut self) {
        if self.left > 0 {
            eprintln!(
                "download cut: {} of {} chunks sent",
                self.chunks - self.left,
                self.chunks
            );
        }
    }
}

const CHUNK: usize = 1024;

/// `GET /download/{secs}`: `secs` seconds of chunks, with its length announced up front, so a
/// client can tell a complete download from a cut one.
async fn download(req: HttpRequest) -> HttpResponse {
    let secs: u32 = req
        .match_info()
        .get("secs")
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let Ok(hold) = graceful::hold(format!("download of {secs}s")) else {
        // Stopping: no new downloads.
        return HttpResponse::ServiceUnavailable().finish();
    };
    let chunks = secs * 4;
    HttpResponse::Ok()
        .no_chunking(u64::from(chunks) * CHUNK as u64)
        .streaming(Download {
            left: chunks,
            chunks,
            tick: rt::time::interval(Duration::from_millis(250)),
            _in_flight: hold,
        })
}

/// Runs after `main` has returned (or been abandoned): what a service would flush last.
#[graceful::on_shutdown]
fn close_the_access_log() {
    println!("access log closed");
}

#[graceful::main(timeout = "10s", body_timeout = "5s")]
fn main() -> std::io::Result<()> {
    // actix's own default is 30 s, above body_timeout: keep it below, as the rule says.
    let shutdown_timeout = std::env::var("ACTIX_SHUTDOWN_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    rt::System::new().block_on(async move {
        let server =
            HttpServer::new(|| App::new().route("/download/{secs}", web::get().to(download)))
                .workers(2)
                .shutdown_signal(async {
                    graceful::shutdown().await;
                })
                .shutdown_timeout(shutdown_timeout)
                .bind(("127.0.0.1", 0))?;
        println!("listening on {}", server.addrs()[0]);
        server.run().await
    })?;
    println!("server stopped");
    Ok(())
}
