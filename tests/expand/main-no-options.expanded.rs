fn main() -> ::std::process::ExitCode {
    fn __graceful_body() {
        let _ = graceful::is_shutting_down();
    }
    ::graceful::__private::run(
        ::graceful::__private::Builder::new(),
        || {
            use ::graceful::__private::probe::*;
            (&&&Probe(__graceful_body())).outcome()
        },
    )
}
