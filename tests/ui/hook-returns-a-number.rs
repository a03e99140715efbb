#[graceful::on_shutdown]
fn flush() -> u32 {
    3
}

fn main() {}
