//! A `#[graceful::test]` child runs the hooks of every crate the test binary links: here a
//! library's (`examples/hooklib`), beside the test's own.

use graceful::test::Report;
use graceful_example_hooklib as _;

#[graceful::on_shutdown]
fn the_tests_own() {}

#[graceful::test(signal = SIGTERM, check = the_librarys_hooks_ran_too)]
fn a_library_crates_hooks_run_in_the_child() -> Result<(), graceful::Shutdown> {
    graceful::test::ready();
    graceful::wait();
    Ok(())
}

fn the_librarys_hooks_ran_too(report: Report) {
    report.assert_clean();
    assert_eq!(
        report.hook_names(),
        ["flush_metrics", "the_tests_own", "close_pool"],
        "{report}"
    );
    assert!(
        report.stdout().contains("connections closed (SIGTERM)"),
        "{report}"
    );
}
