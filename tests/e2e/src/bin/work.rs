//! Work that must finish: holds and threads under `Builder::run`. `work SCENARIO`; markers on
//! stdout as in `scenario` (`ready`, `hook:NAME`, and each scenario's own).

use std::{process::ExitCode, time::Duration};

use graceful::Builder;
use graceful_e2e::{mark, ready, sleep_forever};

/// Work in flight on a plain thread: holds the stop, finishes 500 ms after Stopping began.
fn upload() {
    let hold = graceful::hold("upload").unwrap();
    std::thread::spawn(move || {
        let _hold = hold;
        graceful::wait();
        std::thread::sleep(Duration::from_millis(500));
        println!("upload:done");
    });
}

fn main() -> ExitCode {
    let scenario = std::env::args().nth(1).unwrap_or_default();
    let builder = Builder::new()
        .timeout(Duration::from_secs(6))
        .body_timeout(Duration::from_secs(2));
    if scenario == "hold_before_install" {
        // Taken before graceful is installed: it counts once it is.
        let hold = graceful::hold("early").unwrap();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(500));
            println!("early:done");
            drop(hold);
        });
    }
    match scenario.as_str() {
        "hold_released" => builder.run(|| {
            graceful::on_shutdown("after", mark("after"));
            upload();
            sleep_forever()
        }),
        "hold_late" => builder.run(|| {
            graceful::on_shutdown("after", mark("after"));
            let hold = graceful::hold(format!("stuck {}", 7)).unwrap();
            std::thread::spawn(move || {
                let _hold = hold;
                std::thread::sleep(Duration::from_secs(3600));
            });
            sleep_forever()
        }),
        "hold_refused_in_hook" => builder.run(|| {
            graceful::on_shutdown("late", || match graceful::hold("late") {
                Ok(_) => println!("late:granted"),
                Err(e) => println!("late:refused:{e}"),
            });
            upload();
            ready();
        }),
        "hold_before_install" => builder.run(|| {
            graceful::on_shutdown("after", mark("after"));
            ready();
        }),
        "thread_awaited" => builder.run(|| {
            graceful::on_shutdown("after", mark("after"));
            graceful::thread::spawn("worker", || {
                std::thread::sleep(Duration::from_millis(500));
                // Sub-work may still start while stopping, before the hooks.
                let _sub = graceful::hold("sub").unwrap();
                println!("worker:done");
            })
            .unwrap();
            println!("tasks:{}", graceful::tasks().len());
            ready();
        }),
        "thread_panics" => builder.run(|| {
            graceful::on_shutdown("after", mark("after"));
            graceful::thread::spawn("fetcher", || -> () { panic!("fetch failed") }).unwrap();
            sleep_forever()
        }),
        "thread_err" => builder.run(|| {
            graceful::on_shutdown("after", mark("after"));
            graceful::thread::spawn("writer", || -> Result<(), String> {
                Err("disk full".into())
            })
            .unwrap();
            sleep_forever()
        }),
        "thread_exits" => builder.run(|| {
            graceful::on_shutdown("after", mark("after"));
            graceful::thread::spawn("quitter", || -> () { graceful::exit(3) }).unwrap();
            sleep_forever()
        }),
        "spawn_outside_runtime" => builder.run(|| {
            graceful::on_shutdown("after", mark("after"));
            ready();
            let _ = graceful::spawn("orphan", async {});
        }),
        // Async closure hooks in a sync main: graceful gives them a runtime (the `tokio`
        // feature); the one past its timeout is cancelled, and the next still runs.
        "async_closure_hooks" => builder.run(|| {
            graceful::on_shutdown("future", async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                println!("hook:future");
            });
            let name = String::from("closure");
            graceful::on_shutdown("closure", async move || {
                tokio::time::sleep(Duration::from_millis(50)).await;
                println!("hook:{name}");
                Ok::<(), std::io::Error>(())
            });
            graceful::on_shutdown("stuck", async {
                tokio::time::sleep(Duration::from_secs(3600)).await;
            })
            .timeout(Duration::from_millis(200));
            ready();
        }),
        // After SIGTERM, work that never overlaps: the count of holds is 0 every 2 ms, so the
        // stop must not wait for body_timeout.
        "churn" => builder.run(|| {
            graceful::on_shutdown("after", mark("after"));
            std::thread::spawn(|| {
                graceful::wait();
                while let Ok(hold) = graceful::hold("req") {
                    let t0 = std::time::Instant::now();
                    while t0.elapsed() < Duration::from_millis(2) {}
                    drop(hold);
                }
            });
            ready();
            graceful::wait();
        }),
        // A spawned thread panics, and a Drop on its way out calls exit(3).
        "exit_in_unwind" => builder.run(|| {
            struct ExitInDrop;
            impl Drop for ExitInDrop {
                fn drop(&mut self) {
                    graceful::exit(3);
                }
            }
            graceful::on_shutdown("after", mark("after"));
            graceful::thread::spawn("q", || -> () {
                let _d = ExitInDrop;
                panic!("worker panics");
            })
            .unwrap();
            sleep_forever()
        }),
        // A million holds open at body_timeout: the watchdog must still end the run in time.
        "many_holds" => builder.run(|| {
            graceful::on_shutdown("after", mark("after"));
            let held: Vec<_> = (0..1_000_000)
                .map(|i| graceful::hold(format!("hold number {i}")).unwrap())
                .collect();
            std::thread::spawn(move || {
                let _held = held;
                std::thread::sleep(Duration::from_secs(3600));
            });
            sleep_forever()
        }),
        // A name std cannot give a thread.
        "nul_name" => builder.run(|| {
            graceful::thread::spawn("a\0b", || println!("nul:ran")).unwrap();
            ready();
        }),
        // An async hook cancelled at its timeout whose local panics (or exits) when dropped.
        "cancelled_drop_panics" | "cancelled_drop_exits" => {
            let exits = scenario == "cancelled_drop_exits";
            builder.run(move || {
                struct Bad(bool);
                impl Drop for Bad {
                    fn drop(&mut self) {
                        if self.0 {
                            graceful::exit(3);
                        }
                        panic!("in Drop");
                    }
                }
                graceful::on_shutdown("after", mark("after")).order(100);
                graceful::on_shutdown("cancelled", async move {
                    let _bad = Bad(exits);
                    tokio::time::sleep(Duration::from_secs(30)).await;
                })
                .timeout(Duration::from_millis(300));
                ready();
            })
        }
        // A future whose waker blocks for a minute: the others still hear of the stop.
        // (`trigger()` from a thread, not a signal: a signal would interrupt the executor's
        // sleep and let it look again by chance.)
        "blocking_waker" => builder.run(|| {
            use std::{
                future::Future,
                pin::pin,
                sync::Arc,
                task::{Context, Poll, Wake, Waker},
            };
            struct Blocking;
            impl Wake for Blocking {
                fn wake(self: Arc<Self>) {
                    std::thread::sleep(Duration::from_secs(60));
                }
            }
            struct Unpark(std::thread::Thread);
            impl Wake for Unpark {
                fn wake(self: Arc<Self>) {
                    self.0.unpark();
                }
            }
            let mut first = Box::pin(graceful::shutdown());
            let blocking = Waker::from(Arc::new(Blocking));
            let _ = first.as_mut().poll(&mut Context::from_waker(&blocking));
            graceful::on_shutdown("after", mark("after"));
            ready();
            std::thread::spawn(|| {
                std::thread::sleep(Duration::from_millis(200));
                graceful::trigger();
            });
            // A plain executor: poll, park until woken.
            let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
            let mut cx = Context::from_waker(&waker);
            let mut stop = pin!(graceful::cancel_on_shutdown(std::future::pending::<()>()));
            loop {
                if let Poll::Ready(r) = stop.as_mut().poll(&mut cx) {
                    break r;
                }
                std::thread::park();
            }
        }),
        other => {
            eprintln!("unknown scenario {other:?}");
            ExitCode::from(2)
        }
    }
}
