#[graceful::on_shutdown(before = [close, self::flush])]
fn flush() {}

#[graceful::on_shutdown]
fn close() {}

fn main() {}
