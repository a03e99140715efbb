#[graceful::on_shutdown(final)]
fn flush_telemetry() {}

fn main() {}
