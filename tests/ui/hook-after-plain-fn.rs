// A function without #[graceful::on_shutdown] is no hook to run after.
#[graceful::on_shutdown(after = close)]
fn flush() {}

fn close() {}

fn main() {
    close();
}
