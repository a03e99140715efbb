#[graceful::test(signal = SIGTERM)]
fn stops(report: graceful::test::Report) {
    let _ = report;
}

fn main() {}
