fn main() -> ::std::process::ExitCode {
    fn body() -> std::process::ExitCode {
        std::process::ExitCode::SUCCESS
    }
    let config = ::graceful::__private::Builder::new()
        .exit_code(::graceful::__private::ExitPolicy::Code(3));
    ::graceful::__private::run(
        config,
        || {
            use ::graceful::__private::probe::*;
            (&&&Probe(body())).outcome()
        },
    )
}
