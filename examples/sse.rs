//! Server-sent events that end at the stop. Each client gets a tick a second; on SIGTERM
//! `graceful::until_shutdown` ends every stream, so each response completes, axum's graceful
//! shutdown finds no connection left, and the server exits 0 at once. Without it the open
//! streams would hold the server until `body_timeout` (exit 124).
//!
//! `cargo run --example sse`, then `curl -N http://ADDR/events` and `kill -TERM PID`.

use std::{
    convert::Infallible,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use axum::{
    Router,
    response::sse::{Event, Sse},
    routing::get,
};
use futures_core::Stream;

/// A tick a second, for ever.
struct Ticks {
    interval: tokio::time::Interval,
    count: u64,
}

impl Stream for Ticks {
    type Item = Result<Event, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        this.interval.poll_tick(cx).map(|_| {
            this.count += 1;
            Some(Ok(Event::default().data(format!("tick {}", this.count))))
        })
    }
}

async fn events() -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let ticks = Ticks {
        interval: tokio::time::interval(Duration::from_secs(1)),
        count: 0,
    };
    Sse::new(graceful::until_shutdown(ticks))
}

#[graceful::main(timeout = "10s", body_timeout = "5s")]
#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("listening on {}", listener.local_addr()?);
    axum::serve(listener, Router::new().route("/events", get(events)))
        .with_graceful_shutdown(async {
            graceful::shutdown().await;
        })
        .await?;
    println!("every stream ended");
    Ok(())
}
