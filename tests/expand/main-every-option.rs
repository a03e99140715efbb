/// Docs and attributes stay on the outer `fn main`.
#[graceful::main(
    timeout = "30s",
    body_timeout = "5s",
    drain = "2s",
    signals = [SIGTERM, SIGINT, SIGHUP],
    exit_code = "signal",
    quiet,
    probe = "0.0.0.0:9000",
    second_signal = "ignore",
    concurrent_hooks
)]
fn main() -> std::io::Result<()> {
    Ok(())
}
