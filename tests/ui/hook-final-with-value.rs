#[graceful::on_shutdown(final = "yes")]
fn flush_telemetry() {}

fn main() {}
