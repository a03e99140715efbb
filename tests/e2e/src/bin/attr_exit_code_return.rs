//! `main` returning `ExitCode::from(3)`. `attr_exit_code_return MODE`: `now` returns it at
//! once; `after_signal` waits for a signal first (a failing `ExitCode` outranks the clean stop).

use std::process::ExitCode;

#[graceful::main]
fn main() -> ExitCode {
    if std::env::args().nth(1).as_deref() == Some("after_signal") {
        println!("ready");
        let why = graceful::wait();
        println!("body:{why}");
    }
    ExitCode::from(3)
}

#[graceful::on_shutdown]
fn after() {
    println!("hook:after");
}
