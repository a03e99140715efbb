fn main() -> ::std::process::ExitCode {
    async fn body() -> Result<(), graceful::Shutdown> {
        graceful::shutdown().await;
        Ok(())
    }
    fn run() -> ::std::process::ExitCode {
        let body = async {
            let config = ::graceful::__private::Builder::new()
                .timeout(::graceful::__private::Duration::from_millis(20000));
            ::graceful::__private::run_async(
                    config,
                    async {
                        use ::graceful::__private::probe::*;
                        (&&&Probe(body().await)).outcome()
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
    run()
}
