//! The names a user writes that the attributes' expansions once captured, under
//! `#[graceful::main]`: a fn `run` taking an argument, fns `body` and `config`, a hook named
//! `shutdown` that takes the `&Shutdown` (named like the closure's parameter), a hook named
//! `HOOK` (named like the static), a hook compiled out by a `#[cfg_attr]`, and a closure hook
//! registered as a plain statement. It prints `ready`, then one `hook:NAME` line per hook.

use std::time::Duration;

use graceful::Shutdown;

struct Config {
    greeting: &'static str,
}

fn config() -> Config {
    Config { greeting: "ready" }
}

fn run(cfg: &Config) -> &'static str {
    cfg.greeting
}

fn body() -> Duration {
    Duration::from_secs(1)
}

#[graceful::main]
fn main() -> Result<(), Shutdown> {
    graceful::on_shutdown("closure", || println!("hook:closure"));
    println!("{}", run(&config()));
    loop {
        graceful::sleep(body())?;
    }
}

#[graceful::on_shutdown(order = 1)]
fn shutdown(shutdown: &Shutdown) {
    println!("hook:shutdown:{}", shutdown.reason());
}

#[allow(non_snake_case)]
#[graceful::on_shutdown(order = 2)]
fn HOOK() {
    println!("hook:HOOK");
}

/// Compiled out, registration and all: were the registration kept, it would name a function
/// that does not exist, and this would not build.
#[graceful::on_shutdown(order = 3)]
#[cfg_attr(all(), cfg(any()))]
fn compiled_out() {
    println!("hook:compiled_out");
}

/// Kept: the predicate is false, so the `cfg` never applies.
#[graceful::on_shutdown(order = 4)]
#[cfg_attr(any(), cfg(any()))]
fn kept() {
    println!("hook:kept");
}
