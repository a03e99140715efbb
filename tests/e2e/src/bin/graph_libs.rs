//! Two library crates whose hooks order themselves by path (`graceful_e2e_graph_b` names
//! `graceful_e2e_graph_a`'s hooks), and this binary's own, in stages: `first` (order -1) runs
//! before all of them, `last` (order 1) after, `telemetry` in the final stage.

use graceful_e2e_graph_b as _;

#[graceful::main]
fn main() -> Result<(), graceful::Shutdown> {
    if std::env::args().any(|a| a == "--plan") {
        print!("{}", graceful::hooks());
        return Ok(());
    }
    println!("ready");
    loop {
        graceful::sleep(std::time::Duration::from_secs(1))?;
    }
}

#[graceful::on_shutdown(order = -1)]
fn first() {
    println!("hook:first");
}

#[graceful::on_shutdown(order = 1)]
fn last() {
    println!("hook:last");
}

#[graceful::on_shutdown(final, after = telemetry_setup)]
fn telemetry() {
    println!("hook:telemetry");
}

#[graceful::on_shutdown(final)]
fn telemetry_setup() {
    println!("hook:telemetry_setup");
}
