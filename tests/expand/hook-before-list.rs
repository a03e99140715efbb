#[graceful::on_shutdown]
fn a() {}

#[graceful::on_shutdown]
fn b() {}

#[graceful::on_shutdown(before = [a, b])]
pub fn first() {}

fn main() {}
