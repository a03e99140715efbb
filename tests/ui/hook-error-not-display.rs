#[graceful::on_shutdown]
fn flush() -> Result<(), Vec<u8>> {
    Ok(())
}

fn main() {}
