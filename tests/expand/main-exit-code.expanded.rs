fn main() -> ::std::process::ExitCode {
    fn __graceful_body() -> std::process::ExitCode {
        std::process::ExitCode::SUCCESS
    }
    ::graceful::__private::run(
        ::graceful::__private::Builder::new()
            .exit_code(::graceful::__private::ExitPolicy::Code(3)),
        || {
            use ::graceful::__private::probe::*;
            (&&&Probe(__graceful_body())).outcome()
        },
    )
}
