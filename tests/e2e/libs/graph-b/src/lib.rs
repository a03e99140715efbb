//! A library that uses `graceful_e2e_graph_a`'s pool and orders its hooks against that crate's,
//! by path: its cache is flushed through the pool (before `close_pool`), and its metrics are
//! sent after the journal is sealed.

use graceful_e2e_graph_a as a;

/// Flushes the cache through the pool: before the pool closes.
#[graceful::on_shutdown(before = a::close_pool)]
pub fn flush_cache() {
    a::ran("flush_cache");
}

/// Sends the metrics, which count the journal's last write.
#[graceful::on_shutdown(after = [a::seal_journal, flush_cache])]
pub fn send_metrics() {
    a::ran("send_metrics");
}
