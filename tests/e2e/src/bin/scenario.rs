//! One fixture binary, many scenarios (`scenario NAME`), all through the runtime API without the
//! attributes. Markers go to stdout, one per line, so tests can check order: `ready` once the
//! body runs, `hook:NAME` as each hook runs, `drop:NAME` as a guard drops.

use std::{process::ExitCode, time::Duration};

use graceful::{Builder, Shutdown};
use graceful_e2e::{mark, three_hooks};

struct Noisy(&'static str);
impl Drop for Noisy {
    fn drop(&mut self) {
        println!("drop:{}", self.0);
    }
}

/// Write to stderr for ever: on a pipe nobody reads, block there, holding std's stderr lock.
fn flood_stderr() -> ! {
    let line = "x".repeat(1000);
    loop {
        eprintln!("{line}");
    }
}

fn ready() {
    println!("ready");
}

fn sleep_forever() -> Result<(), Shutdown> {
    let _guard = Noisy("body");
    ready();
    loop {
        graceful::sleep(Duration::from_secs(1))?;
    }
}

fn main() -> ExitCode {
    let scenario = std::env::args().nth(1).unwrap_or_default();
    let builder = Builder::new();
    match scenario.as_str() {
        // A body waiting in sleep; SIGTERM or SIGINT stops it.
        "sleep" => builder.run(|| {
            three_hooks();
            sleep_forever()
        }),
        "return" => builder.run(|| {
            three_hooks();
            ready();
        }),
        "err" => builder.run(|| -> Result<(), String> {
            three_hooks();
            ready();
            Err("boom".into())
        }),
        "panic" => builder.run(|| -> () {
            three_hooks();
            ready();
            panic!("body exploded");
        }),
        "failing_hooks" => builder.run(|| {
            let _ = graceful::on_shutdown("after", mark("after")).order(3);
            let _ = graceful::on_shutdown("errs", || -> Result<(), String> {
                println!("hook:errs");
                Err("disk full".into())
            })
            .order(2);
            let _ = graceful::on_shutdown("panics", || -> () {
                println!("hook:panics");
                panic!("hook exploded")
            })
            .order(1);
            ready();
        }),
        "hook_timeout" => builder.run(|| {
            let _ = graceful::on_shutdown("after", mark("after")).order(2);
            let _ = graceful::on_shutdown("stuck", || {
                println!("hook:stuck");
                std::thread::sleep(Duration::from_secs(60));
            })
            .order(1)
            .timeout(Duration::from_millis(300));
            ready();
        }),
        "deadline" => builder.timeout(Duration::from_secs(1)).run(|| {
            let _ = graceful::on_shutdown("stuck", || {
                println!("hook:stuck");
                std::thread::sleep(Duration::from_secs(60));
            });
            ready();
        }),
        "slow_hook" => builder.timeout(Duration::from_secs(30)).run(|| {
            let _ = graceful::on_shutdown("slow", || {
                println!("hook:slow");
                std::thread::sleep(Duration::from_secs(20));
            });
            sleep_forever()
        }),
        "hook_1s" => builder.run(|| {
            let _ = graceful::on_shutdown("one_second", || {
                std::thread::sleep(Duration::from_secs(1));
                println!("hook:one_second");
            });
            sleep_forever()
        }),
        // A body stuck writing to a stderr nobody reads, holding std's stderr lock for ever.
        "stuck_stderr" => builder
            .timeout(Duration::from_secs(3))
            .body_timeout(Duration::from_millis(500))
            .run(|| -> () {
                three_hooks();
                ready();
                flood_stderr()
            }),
        // main returns an error longer than a pipe holds, to a stderr nobody reads.
        "err_stuck_stderr" => {
            builder
                .timeout(Duration::from_secs(2))
                .run(|| -> Result<(), String> {
                    three_hooks();
                    ready();
                    Err("x".repeat(200_000))
                })
        }
        // A logging thread stuck on a stderr nobody reads, holding std's stderr lock; main
        // sleeps until the signal.
        "logger_stuck" => builder.timeout(Duration::from_secs(5)).run(|| {
            three_hooks();
            std::thread::spawn(flood_stderr);
            sleep_forever()
        }),
        // The first hook leaves a logger stuck on a stderr nobody reads, holding std's lock,
        // so the report's line for that hook blocks.
        "hook_fills_stderr" => builder.timeout(Duration::from_secs(5)).run(|| -> () {
            let _ = graceful::on_shutdown("after", mark("after")).order(2);
            let _ = graceful::on_shutdown("floods", || {
                println!("hook:floods");
                std::thread::spawn(flood_stderr);
                std::thread::sleep(Duration::from_millis(200));
            })
            .order(1);
            ready();
        }),
        // A hook fails with an error far longer than a pipe holds: its report line takes as
        // long to write as the reader takes to drain it.
        "long_hook_error" => builder.timeout(Duration::from_secs(8)).run(|| -> () {
            let on = || std::thread::current().name().unwrap_or("?").to_owned();
            let _ =
                graceful::on_shutdown("after", move || println!("hook:after:{}", on())).order(2);
            let _ = graceful::on_shutdown("fails", move || -> Result<(), String> {
                println!("hook:fails:{}", on());
                Err("y".repeat(300_000))
            })
            .order(1);
            ready();
        }),
        "exit_deep" => builder.run(|| -> () {
            three_hooks();
            let _guard = Noisy("main");
            ready();
            deep(3);
        }),
        "exit_in_hook" => builder.run(|| {
            let _ = graceful::on_shutdown("after", mark("after")).order(2);
            let _ = graceful::on_shutdown("exits", || -> () {
                println!("hook:exits");
                graceful::exit(4)
            })
            .order(1);
            ready();
        }),
        "err_then_exit_in_hook" => builder.run(|| -> Result<(), String> {
            let _ = graceful::on_shutdown("exits", || -> () {
                println!("hook:exits");
                graceful::exit(4)
            });
            ready();
            Err("main failed".into())
        }),
        "exit_from_thread" => builder.run(|| {
            three_hooks();
            std::thread::spawn(|| {
                std::thread::sleep(Duration::from_millis(200));
                graceful::exit(5)
            });
            sleep_forever()
        }),
        "trigger" => builder.run(|| {
            three_hooks();
            std::thread::spawn(|| {
                std::thread::sleep(Duration::from_millis(200));
                graceful::trigger();
            });
            sleep_forever()
        }),
        "cancel" => builder.run(|| {
            three_hooks();
            let gone = graceful::on_shutdown("cancelled", mark("cancelled"));
            println!("cancelled:{}", gone.cancel());
            ready();
        }),
        // A body that never checks: abandoned at body_timeout, hooks run anyway.
        "ignore" => builder
            .timeout(Duration::from_secs(4))
            .body_timeout(Duration::from_millis(500))
            .run(|| -> () {
                three_hooks();
                ready();
                loop {
                    std::thread::sleep(Duration::from_secs(1));
                }
            }),
        // The body hears of the stop, then takes far longer than body_timeout to return.
        "asks_then_lingers" => builder
            .timeout(Duration::from_secs(4))
            .body_timeout(Duration::from_millis(500))
            .run(|| -> () {
                ready();
                while graceful::check().is_ok() {
                    std::thread::sleep(Duration::from_millis(10));
                }
                std::thread::sleep(Duration::from_secs(60));
            }),
        // The body returns after the given number of microseconds.
        "race" => builder.run(|| {
            three_hooks();
            let us: u64 = std::env::args()
                .nth(2)
                .and_then(|a| a.parse().ok())
                .unwrap_or(0);
            ready();
            let _ = graceful::sleep(Duration::from_micros(us));
        }),
        // Drain: not ready at the first signal, still running for 800 ms, then told to stop.
        "drain" => builder.drain(Duration::from_millis(800)).run(|| {
            three_hooks();
            ready();
            let mut announced = false;
            while graceful::sleep(Duration::from_millis(5)).is_ok() {
                if !graceful::is_ready() && !announced {
                    announced = true;
                    println!("not ready");
                }
            }
            println!("told to stop");
        }),
        "die_of_signal" => builder.exit_code(graceful::ExitPolicy::Signal).run(|| {
            three_hooks();
            sleep_forever()
        }),
        "guard" => {
            let _graceful = graceful::install();
            three_hooks();
            let _ = sleep_forever();
            ExitCode::from(9) // never reached after a signal: the guard exits first
        }
        "shutdown_future" => builder.run(|| {
            three_hooks();
            ready();
            let why = block_on(graceful::shutdown());
            println!("future:{why}");
        }),
        other => {
            eprintln!("unknown scenario {other:?}");
            ExitCode::from(2)
        }
    }
}

fn deep(n: u32) -> ! {
    let _frame = Noisy(if n == 1 { "deepest" } else { "frame" });
    if n == 1 {
        graceful::exit(3)
    }
    deep(n - 1)
}

/// The smallest executor: park until woken. Proves `shutdown()` needs no runtime.
fn block_on<F: std::future::Future>(fut: F) -> F::Output {
    use std::{
        pin::pin,
        sync::Arc,
        task::{Context, Poll, Wake},
    };
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Arc::new(Unpark(std::thread::current())).into();
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::park();
    }
}
