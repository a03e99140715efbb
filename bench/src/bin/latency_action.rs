//! graceful's signal actions in the latency benchmark: a SIGHUP action, written as a user
//! would (`#[graceful::on_signal(SIGHUP)]`), reads the clock on entry. The figure includes the
//! handler raising the action's flag, the actions' thread waking and the run starting. A later
//! SIGTERM stops the process.

use graceful_bench::{emit, now_ns, ready};

#[graceful::on_signal(SIGHUP)]
fn first_line_of_the_action() {
    emit("", now_ns());
}

#[graceful::main]
fn main() -> Result<(), graceful::Shutdown> {
    ready();
    loop {
        graceful::sleep(std::time::Duration::from_secs(60))?;
    }
}
