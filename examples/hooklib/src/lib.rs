//! A library crate that cleans up after itself: a (pretend) connection pool that must be closed
//! and a metrics buffer that must be flushed, each with its own `#[graceful::on_shutdown]`
//! hook. A binary that uses this crate gets both hooks without registering anything, as long
//! as its `main` runs under graceful (`#[graceful::main]`, `graceful::install()` or
//! `graceful::Builder`). `examples/library_hooks.rs` is such a binary.
//!
//! # Order
//! The library's hooks and the binary's own run in one list, sorted by `order`:
//!
//! | order | hook | why there |
//! | --- | --- | --- |
//! | -10 | [`flush_metrics`] | early, so the numbers leave while the network is still up |
//! | 50 | [`close_pool`] | late, so the binary's hooks (order 0 by default) can still query |
//!
//! # A crate the binary never names is not linked
//! Rust links a dependency into a binary only if the binary's code names it somewhere: a
//! dependency listed in `Cargo.toml` but never mentioned in the code is left out of the link,
//! and so are its `#[graceful::on_shutdown]` hooks, silently. A binary that calls into the
//! crate (as `library_hooks` calls [`connect`] and [`query`]) names it already. One that
//! wants only the hooks names it with
//!
//! ```
//! use graceful_example_hooklib as _;
//! ```
//!
//! anywhere in the binary's crate. The end-to-end tests prove all three cases
//! (`tests/e2e/src/bin/attr_library*.rs`).

use std::{
    fmt,
    sync::atomic::{AtomicU64, AtomicUsize, Ordering},
};

/// Connections open in the pool.
static OPEN: AtomicUsize = AtomicUsize::new(0);
/// Queries run and not yet reported by [`flush_metrics`].
static QUERIES: AtomicU64 = AtomicU64::new(0);

/// Open the pool with `connections` connections (pretend ones: nothing leaves the process).
///
/// ```
/// graceful_example_hooklib::connect(4);
/// assert_eq!(graceful_example_hooklib::open_connections(), 4);
/// ```
pub fn connect(connections: usize) {
    OPEN.store(connections, Ordering::SeqCst);
    println!("pool: {connections} connections open");
}

/// How many connections are open.
///
/// ```
/// assert_eq!(graceful_example_hooklib::open_connections(), 0); // nothing connected yet
/// ```
pub fn open_connections() -> usize {
    OPEN.load(Ordering::SeqCst)
}

/// Run `sql` on a pooled connection; counted in the metrics.
///
/// # Errors
/// [`PoolError::Closed`] once the pool is closed (or before [`connect`]).
///
/// ```
/// use graceful_example_hooklib::{PoolError, connect, query};
/// assert_eq!(query("SELECT 1"), Err(PoolError::Closed));
/// connect(1);
/// assert_eq!(query("SELECT 1"), Ok(()));
/// ```
pub fn query(sql: &str) -> Result<(), PoolError> {
    if open_connections() == 0 {
        return Err(PoolError::Closed);
    }
    let _ = sql;
    QUERIES.fetch_add(1, Ordering::SeqCst);
    Ok(())
}

/// What the pool can refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PoolError {
    /// The pool is not open: [`connect`] was not called, or [`close_pool`] already ran.
    Closed,
}

impl fmt::Display for PoolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PoolError::Closed => f.write_str("the pool is closed"),
        }
    }
}

impl std::error::Error for PoolError {}

/// Report the queries counted since the last flush. A shutdown hook at order -10.
///
/// It is an ordinary function too, so a program may flush by hand between shutdowns.
#[graceful::on_shutdown(order = -10)]
pub fn flush_metrics() {
    let queries = QUERIES.swap(0, Ordering::SeqCst);
    println!("metrics: flushed {queries} queries");
}

/// Close every connection of the pool. A shutdown hook at order 50, with 2 s of its own.
#[graceful::on_shutdown(order = 50, timeout = "2s")]
pub fn close_pool(shutdown: &graceful::Shutdown) {
    let open = OPEN.swap(0, Ordering::SeqCst);
    println!("pool: {open} connections closed ({})", shutdown.reason());
}
