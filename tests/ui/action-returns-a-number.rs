// An action returns () or Result<(), E: Display>.
#[graceful::on_signal(SIGUSR1)]
fn reopen() -> u32 {
    0
}

fn main() {}
