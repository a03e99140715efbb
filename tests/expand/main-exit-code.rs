#[graceful::main(exit_code = 3)]
fn main() -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}
