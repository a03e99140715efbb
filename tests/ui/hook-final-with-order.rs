#[graceful::on_shutdown(final, order = 5)]
fn flush_telemetry() {}

fn main() {}
