//! `graceful::install()` with concurrent hooks, main returning on its own (no signal), by
//! scenario (the first argument). Main prints `main:back` if the guard hands control back.
//! Markers on stdout: `hook:NAME` when a hook ran.

use std::time::Duration;

use graceful::on_shutdown;

fn takes(name: &'static str, ms: u64) -> impl FnOnce() + Send + 'static {
    move || {
        std::thread::sleep(Duration::from_millis(ms));
        println!("hook:{name}");
    }
}

fn main() {
    let guard = graceful::install();
    // Closures run last-registered first: the second registered is claimed by main's thread.
    match std::env::args().nth(1).as_deref() {
        Some("clean") => {
            on_shutdown("lane", takes("lane", 300));
            on_shutdown("anchor", takes("anchor", 0));
        }
        Some("lane_exit") => {
            on_shutdown("lane", || {
                std::thread::sleep(Duration::from_millis(300));
                println!("hook:lane");
                if true {
                    graceful::exit(3);
                }
            });
            on_shutdown("anchor", takes("anchor", 0));
        }
        Some("lane_panic") => {
            on_shutdown("lane", || {
                std::thread::sleep(Duration::from_millis(300));
                if true {
                    panic!("lane hook panics");
                }
            });
            on_shutdown("anchor", takes("anchor", 0));
        }
        Some("lane_timeout") => {
            on_shutdown("lane", takes("lane", 20_000)).timeout(Duration::from_millis(300));
            on_shutdown("anchor", takes("anchor", 0));
        }
        Some("anchor_timeout") => {
            on_shutdown("lane", takes("lane", 1_000));
            on_shutdown("anchor", takes("anchor", 20_000)).timeout(Duration::from_millis(300));
        }
        Some("other_exit") => {
            on_shutdown("lane", takes("lane", 600));
            on_shutdown("anchor", || {
                // exit(5) from a thread that is neither main's nor a hook's, during the run.
                std::thread::spawn(|| graceful::exit(5));
                std::thread::sleep(Duration::from_millis(100));
                println!("hook:anchor");
            });
        }
        other => panic!("no scenario {other:?}"),
    }
    drop(guard);
    println!("main:back");
    std::process::exit(7);
}
