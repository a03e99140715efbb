#[graceful::main(
    timeout = "30s",
    body_timeout = "5s",
    signals = [SIGTERM, SIGINT, SIGHUP, SIGQUIT],
    exit_code = 3,
    quiet,
)]
fn main() -> Result<(), graceful::Shutdown> {
    Ok(())
}
