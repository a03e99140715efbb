//! Static hooks declared with `#[graceful::on_shutdown]` beside closures, under
//! `#[graceful::main]`. `attr_hooks MODE`:
//! - `sleep`: prints `ready`, then waits for a signal;
//! - `fail`: as `sleep`, and the `may_fail` hook returns `Err("disk full")`;
//! - `stuck`: as `sleep`, and the `stuck` hook outlives its `timeout = "300ms"`;
//! - `list`: prints `graceful::hooks()` as `list:NAME:ORDER:FILE:LINE`, then returns.
//!
//! Every hook prints `hook:NAME` as it runs; `early` prints `hook:early:REASON`.

use std::{sync::OnceLock, time::Duration};

use graceful::Shutdown;

static MODE: OnceLock<String> = OnceLock::new();

fn mode() -> &'static str {
    MODE.get().map_or("", String::as_str)
}

#[graceful::main]
fn main() -> Result<(), Shutdown> {
    MODE.get_or_init(|| std::env::args().nth(1).unwrap_or_default());
    // Closures of order 5 run before the static hooks of order 5, last-registered first.
    let _ = graceful::on_shutdown("closure_first", || println!("hook:closure_first")).order(5);
    let _ = graceful::on_shutdown("closure_second", || println!("hook:closure_second")).order(5);
    if mode() == "list" {
        for hook in graceful::hooks() {
            let (file, line) = hook.location();
            println!("list:{}:{}:{file}:{line}", hook.name(), hook.order());
        }
        return Ok(());
    }
    println!("ready");
    loop {
        graceful::sleep(Duration::from_secs(1))?;
    }
}

#[graceful::on_shutdown(order = -5)]
fn early(shutdown: &Shutdown) {
    println!("hook:early:{}", shutdown.reason());
}

// Order 2: this module's hooks by name, then module `amod`'s, then module `zmod`'s.
#[graceful::on_shutdown(order = 2)]
fn b_two() {
    println!("hook:b_two");
}

#[graceful::on_shutdown(order = 2)]
fn a_two() {
    println!("hook:a_two");
}

mod zmod {
    #[graceful::on_shutdown(order = 2)]
    pub(crate) fn aaa() {
        println!("hook:aaa");
    }
}

mod amod {
    #[graceful::on_shutdown(order = 2)]
    fn zzz() {
        println!("hook:zzz");
    }
}

#[graceful::on_shutdown(order = 5)]
fn five() {
    println!("hook:five");
}

/// Sorted by its given name, `zz_renamed`, not by the function's.
#[graceful::on_shutdown(order = 5, name = "zz_renamed")]
fn renamed_fn() {
    println!("hook:zz_renamed");
}

#[graceful::on_shutdown(order = 7)]
fn may_fail() -> Result<(), String> {
    println!("hook:may_fail");
    if mode() == "fail" {
        return Err("disk full".into());
    }
    Ok(())
}

#[graceful::on_shutdown(order = 8, timeout = "300ms")]
fn stuck() {
    println!("hook:stuck");
    if mode() == "stuck" {
        std::thread::sleep(Duration::from_secs(60));
    }
}

// 10 sorts after 2 and 5 as a number, not as text.
#[graceful::on_shutdown(order = 10)]
fn late() {
    println!("hook:late");
}
