use graceful::Shutdown;

#[graceful::on_shutdown]
fn plain() {}

#[graceful::on_shutdown(order = -5, name = "flush journal", timeout = "2s")]
pub fn with_reason(shutdown: &Shutdown) -> std::io::Result<()> {
    let _ = shutdown;
    Ok(())
}

mod inner {
    #[graceful::on_shutdown(order = 10)]
    pub(crate) fn r#type(_: &'_ graceful::Shutdown) -> Result<(), String> {
        Ok(())
    }

    #[cfg(any())]
    #[graceful::on_shutdown]
    fn compiled_out() {}
}

#[graceful::main(quiet)]
fn main() {}
