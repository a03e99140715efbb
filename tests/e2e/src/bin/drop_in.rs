//! Faults met dropping graceful into existing programs (`drop_in NAME`), through the runtime
//! API. Markers go to
//! stdout, one per line: `ready` once the body runs, `hook:NAME` as each hook runs.

use std::{process::ExitCode, time::Duration};

use graceful::Builder;
use graceful_e2e::{mark, ready, three_hooks};

extern "C" fn exit_3_at_exit() {
    graceful::exit(3);
}

extern "C" fn block_at_exit() {
    println!("atexit: blocking");
    std::thread::sleep(Duration::from_secs(60));
}

fn main() -> ExitCode {
    let scenario = std::env::args().nth(1).unwrap_or_default();
    let builder = Builder::new();
    match scenario.as_str() {
        // A program that ends on its own, every hook fine, while a logger thread holds std's
        // stderr lock (a log line stuck on a full pipe): the report has nothing to say, so
        // nothing should wait for stderr.
        "quiet_logger_stuck" => builder.timeout(Duration::from_secs(5)).run(|| {
            three_hooks();
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let _lock = std::io::stderr().lock();
                tx.send(()).unwrap();
                loop {
                    std::thread::park();
                }
            });
            rx.recv().unwrap();
            ready();
        }),
        // A body that learns of the stop through graceful's tokio-util CancellationToken (as
        // a tokio program's tasks do), then drains for longer than body_timeout.
        "token_drain" => builder
            .timeout(Duration::from_secs(4))
            .body_timeout(Duration::from_millis(500))
            .run(|| {
                let _ = graceful::on_shutdown("flush", mark("flush"));
                let token = graceful::cancellation_token();
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    ready();
                    token.cancelled().await;
                    println!("told");
                    // The framework's own drain, longer than body_timeout.
                    tokio::time::sleep(Duration::from_secs(3)).await;
                });
            }),
        // An `atexit` handler that asks for exit(3) after main returned and the hooks ran.
        "atexit_exit" => builder.run(|| {
            // SAFETY: registering a plain extern "C" fn.
            unsafe { libc::atexit(exit_3_at_exit) };
            three_hooks();
            ready();
        }),
        // The owns_signals recipe with SIGQUIT left out of `signals` (the default SIGTERM,
        // SIGINT): the library stops on SIGQUIT by itself, main returns.
        "library_sigquit" => builder.run(|| -> std::io::Result<()> {
            let _ = graceful::on_shutdown("flush", mark("flush"));
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(async {
                let mut quit =
                    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::quit())?;
                ready();
                quit.recv().await;
                println!("library: SIGQUIT, draining");
                tokio::time::sleep(Duration::from_millis(200)).await;
                Ok(())
            })
        }),
        // A clean stop by SIGTERM whose process exit then hangs in an `atexit` handler (as a
        // flush of a full stdout pipe does): the deadline ends it with 124.
        "atexit_blocks" => builder.timeout(Duration::from_secs(1)).run(|| {
            // SAFETY: registering a plain extern "C" fn.
            unsafe { libc::atexit(block_at_exit) };
            let _ = graceful::on_shutdown("flush", mark("flush"));
            graceful_e2e::sleep_forever()
        }),
        // A body that never asks, with timeout 3s: body_timeout is 1.5s.
        "never_asks" => builder.timeout(Duration::from_secs(3)).run(|| -> () {
            ready();
            loop {
                std::thread::sleep(Duration::from_millis(50));
            }
        }),
        // Told to stop, then one more second of work.
        "lingers" => builder.run(|| {
            ready();
            let _ = graceful::wait();
            std::thread::sleep(Duration::from_secs(1));
        }),
        // install(), with second_signal = ignore: the guard drops at the end of an inner scope
        // (the hooks run, main's own return value will decide), then main works 3 s more.
        "guard_then_work" => {
            {
                let _graceful = Builder::new()
                    .second_signal(graceful::SecondSignal::Ignore)
                    .install();
                let _ = graceful::on_shutdown("flush", mark("flush"));
            }
            println!("handed back");
            std::thread::sleep(Duration::from_secs(3));
            println!("post work done");
            ExitCode::SUCCESS
        }
        // body_timeout = timeout (the budget rule allows <=), a hold in flight in main.
        "equal_budgets" => builder
            .timeout(Duration::from_secs(1))
            .body_timeout(Duration::from_secs(1))
            .run(|| -> () {
                let _ = graceful::on_shutdown("flush", mark("flush"));
                let _request = graceful::hold("request").unwrap();
                ready();
                loop {
                    std::thread::sleep(Duration::from_millis(50));
                }
            }),
        other => {
            eprintln!("unknown scenario {other:?}");
            ExitCode::from(2)
        }
    }
}
