#[graceful::on_shutdown(after db::close)]
fn flush() {}

fn main() {}
