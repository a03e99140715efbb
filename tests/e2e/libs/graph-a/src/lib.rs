//! A library with a pool: `close_pool` must run after every user of the pool, and
//! `open_journal`'s journal must outlive the pool. It orders nothing itself: other crates name
//! its hooks with `after`/`before`. In the base order (module path, then name) its hooks would
//! run before `graceful_e2e_graph_b`'s.

/// Say that a hook ran, on stdout.
pub fn ran(name: &str) {
    println!("hook:{name}");
}

/// Closes the pool: other crates' hooks that use it say `before = close_pool`.
#[graceful::on_shutdown]
pub fn close_pool() {
    ran("close_pool");
}

/// Writes the journal's last entry: after the pool is closed.
#[graceful::on_shutdown(after = close_pool)]
pub fn seal_journal() {
    ran("seal_journal");
}
