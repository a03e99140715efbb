#[graceful::on_shutdown]
fn flush<W: std::io::Write>() {}

fn main() {}
