//! graceful under another name: the dependency is renamed `gr`, so no `::graceful` path exists
//! in this crate, and the attributes are told where graceful is with `crate = gr`. It prints
//! `ready`, then one `hook:NAME` line per hook, in run order; its test does the same under
//! `#[gr::test]`.

use std::time::Duration;

#[gr::main(crate = gr, timeout = "5s")]
fn main() -> Result<(), gr::Shutdown> {
    serve()
}

fn serve() -> Result<(), gr::Shutdown> {
    gr::on_shutdown("closure", || println!("hook:closure"));
    println!("ready");
    gr::test::ready();
    loop {
        gr::sleep(Duration::from_secs(1))?;
    }
}

#[gr::on_shutdown(crate = gr, order = -1)]
fn first(shutdown: &gr::Shutdown) {
    println!("hook:first:{}", shutdown.reason());
}

#[gr::on_shutdown(crate = gr, order = 1, name = "last", timeout = "1s")]
fn last_one() -> std::io::Result<()> {
    println!("hook:last");
    Ok(())
}

#[gr::on_shutdown(crate = gr, order = 2)]
async fn async_last() {
    println!("hook:async_last");
}

/// The third attribute under the renamed dependency: `cargo test` here stops `serve` with a real
/// SIGTERM in a child process and reads its report.
#[cfg(test)]
mod tests {
    #[gr::test(crate = gr, signal = SIGTERM, check = hooks_in_order)]
    fn a_sigterm_runs_the_hooks_in_order() -> Result<(), gr::Shutdown> {
        super::serve()
    }

    fn hooks_in_order(report: gr::test::Report) {
        assert_eq!(report.exit_code(), Some(0), "{report}");
        assert_eq!(
            report.hook_names(),
            ["first", "closure", "last", "async_last"],
            "{report}"
        );
    }
}
