//! The probe listener (`GRACEFUL_PROBE`), answering through a drain and a slow hook; `probe
//! fork` forks a child that sleeps on; `probe try_install` asks `Builder::try_install` and,
//! refused, carries on without graceful.

use std::time::Duration;

fn main() -> std::process::ExitCode {
    if std::env::args().nth(1).as_deref() == Some("try_install") {
        if let Err(e) = graceful::Builder::new().try_install() {
            eprintln!("{e}");
            println!("refused");
        }
        loop {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    graceful::Builder::new()
        .timeout(Duration::from_secs(10))
        .drain(Duration::from_secs(1))
        .run(body)
}

fn body() -> Result<(), graceful::Shutdown> {
    graceful::on_shutdown("slow", || {
        println!("hook:slow:start");
        std::thread::sleep(Duration::from_millis(1500));
    });
    if std::env::args().nth(1).as_deref() == Some("fork") {
        // SAFETY: the child only sleeps and exits, async-signal-safe calls.
        match unsafe { libc::fork() } {
            0 => {
                // Let go of the test's pipes, so it sees the parent's end as the end.
                // SAFETY: closing our own stdout and stderr descriptors.
                unsafe {
                    libc::close(1);
                    libc::close(2);
                }
                std::thread::sleep(Duration::from_secs(8));
                // SAFETY: ends the child without running the parent's atexit handlers.
                unsafe { libc::_exit(0) }
            }
            _ => println!("forked"),
        }
    }
    println!("ready");
    loop {
        graceful::sleep(Duration::from_secs(1))?;
    }
}
