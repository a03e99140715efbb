// A type of the user's own is no hook either.
#[graceful::on_shutdown(after = Pool)]
fn flush() {}

struct Pool;

fn main() {
    let _ = Pool;
}
