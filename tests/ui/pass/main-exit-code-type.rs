use std::process::ExitCode;

/// Docs and attributes stay on `main`.
#[graceful::main(exit_code = "signal", quiet = true)]
#[allow(clippy::needless_return)]
fn main() -> ExitCode {
    return ExitCode::SUCCESS;
}
