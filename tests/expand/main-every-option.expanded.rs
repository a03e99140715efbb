/// Docs and attributes stay on the outer `fn main`.
fn main() -> ::std::process::ExitCode {
    fn __graceful_body() -> std::io::Result<()> {
        Ok(())
    }
    ::graceful::__private::run(
        ::graceful::__private::Builder::new()
            .timeout(::graceful::__private::Duration::from_millis(30000))
            .body_timeout(::graceful::__private::Duration::from_millis(5000))
            .drain(::graceful::__private::Duration::from_millis(2000))
            .signals([
                ::graceful::__private::Signal::SIGTERM,
                ::graceful::__private::Signal::SIGINT,
                ::graceful::__private::Signal::SIGHUP,
            ])
            .exit_code(::graceful::__private::ExitPolicy::Signal)
            .quiet()
            .second_signal(::graceful::__private::SecondSignal::Ignore)
            .concurrent_hooks(true)
            .probe(::graceful::__private::SocketAddr::from(([0, 0, 0, 0], 9000))),
        || {
            use ::graceful::__private::probe::*;
            (&&&Probe(__graceful_body())).outcome()
        },
    )
}
