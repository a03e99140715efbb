// A closure hook that returns a number: neither () nor Result<(), E: Display>.
fn main() {
    let _ = graceful::on_shutdown("answer", || 42);
}
