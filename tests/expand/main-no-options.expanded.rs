fn main() -> ::std::process::ExitCode {
    fn body() {
        let _ = graceful::is_shutting_down();
    }
    let config = ::graceful::__private::Builder::new();
    ::graceful::__private::run(
        config,
        || {
            use ::graceful::__private::probe::*;
            (&&&Probe(body())).outcome()
        },
    )
}
