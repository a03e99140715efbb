#[graceful::main]
fn main() {
    let _ = graceful::is_shutting_down();
}
