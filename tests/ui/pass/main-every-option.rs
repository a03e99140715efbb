#[graceful::main(
    timeout = "30s",
    body_timeout = "5s",
    signals = [SIGTERM, SIGINT, SIGHUP, SIGQUIT],
    exit_code = 3,
    quiet,
    probe = "127.0.0.1:47913",
    concurrent_hooks = true,
)]
fn main() -> Result<(), graceful::Shutdown> {
    Ok(())
}
