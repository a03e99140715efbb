//! Hooks whose `after` form a cycle (a → b → c → a, across modules), beside one that is fine:
//! graceful refuses to start (exit 78), naming every hook on the cycle, and the body never runs.

mod storage {
    #[graceful::on_shutdown(after = super::net::c)]
    pub(crate) fn a() {}
    #[graceful::on_shutdown(after = a)]
    pub(crate) fn b() {}
}

mod net {
    #[graceful::on_shutdown(after = super::storage::b)]
    pub(crate) fn c() {}
}

#[graceful::on_shutdown]
fn fine() {}

#[graceful::main]
fn main() {
    println!("the body ran");
}
