#[graceful::main]
fn run() {}

fn main() {
    run();
}
