//! A program built with panic = "abort" (`graceful-abort-check NAME`), outside the workspace;
//! `tests/e2e/tests/drop_in.rs` builds it and runs each case. Markers on stdout.

use std::time::Duration;

#[graceful::main(timeout = "5s")]
fn main() -> Result<(), graceful::Shutdown> {
    let scenario = std::env::args().nth(1).unwrap_or_default();
    match scenario.as_str() {
        // A hook past its timeout (200 ms) that later calls exit(5): the run has gone on
        // without it, so its exit should touch nothing (as under panic = "unwind").
        "left_behind_exit" => {
            let _ = graceful::on_shutdown("later", || {
                std::thread::sleep(Duration::from_millis(800));
                println!("hook:later");
            })
            .order(1);
            let _ = graceful::on_shutdown("slow", || -> () {
                std::thread::sleep(Duration::from_millis(400));
                println!("slow: calling exit(5)");
                graceful::exit(5)
            })
            .timeout(Duration::from_millis(200));
        }
        // exit(3) from a scoped worker thread (rayon and std::thread::scope alike), whose
        // scope main waits on: under panic = "unwind" the scope's panic counts as the exit, 3.
        "scoped_exit" => {
            println!("ready");
            std::thread::scope(|s| {
                s.spawn(|| -> () { graceful::exit(3) });
            });
            println!("scope ended");
            return Ok(());
        }
        // An async hook that calls exit(4): like a sync one, that hook ends, the others run.
        "async_hook_exit" => {
            let _ = graceful::on_shutdown("async_exits", async {
                if std::env::var_os("NEVER").is_none() {
                    graceful::exit(4)
                }
            });
            let _ = graceful::on_shutdown("later", || println!("hook:later")).order(1);
        }
        // A hook that panics: under panic = "abort" nothing can isolate it.
        "hook_panics" => {
            let _ = graceful::on_shutdown("panics", || -> () { panic!("hook exploded") });
            let _ = graceful::on_shutdown("later", || println!("hook:later")).order(1);
        }
        // A SIGHUP action that calls exit(3).
        "action_exit" => {
            graceful::on_signal(graceful::Signal::SIGHUP, "exits", || -> () {
                println!("action:exit");
                graceful::exit(3)
            })
            .unwrap();
        }
        // A SIGHUP action that panics.
        "action_panics" => {
            graceful::on_signal(graceful::Signal::SIGHUP, "explodes", || -> () {
                panic!("action exploded")
            })
            .unwrap();
        }
        _ => {}
    }
    println!("ready");
    loop {
        graceful::sleep(Duration::from_secs(1))?;
    }
}
