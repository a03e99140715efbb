fn main() -> ::std::process::ExitCode {
    async fn __graceful_body() -> Result<(), graceful::Shutdown> {
        graceful::shutdown().await;
        Ok(())
    }
    fn __graceful_run() -> ::std::process::ExitCode {
        let body = async {
            ::graceful::__private::run_async(
                    ::graceful::__private::Builder::new()
                        .timeout(::graceful::__private::Duration::from_millis(20000)),
                    async {
                        use ::graceful::__private::probe::*;
                        (&&&Probe(__graceful_body().await)).outcome()
                    },
                )
                .await
        };
        let body = {
            if false {
                let _: &dyn ::core::future::Future<Output = ::std::process::ExitCode> = &body;
            }
            body
        };
        #[allow(
            clippy::expect_used,
            clippy::diverging_sub_expression,
            clippy::needless_return,
            clippy::unwrap_in_result
        )]
        {
            use tokio::runtime::Builder;
            return Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("Failed building the Runtime")
                .block_on(body);
        }
    }
    __graceful_run()
}
