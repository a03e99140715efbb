#[graceful::on_signal(SIGHUP, name = "reload settings")]
fn reload() -> std::io::Result<()> {
    Ok(())
}

#[graceful::on_signal(SIGUSR1)]
async fn reopen_logs() {}

fn main() {}
