// The names the expansions once captured stay the user's: a `run` that takes an argument,
// `body` and `config` items, a hook named `shutdown` taking the `&Shutdown`, a hook named
// `HOOK`, a hook compiled out through `#[cfg_attr]`. Warnings are errors here, so a closure
// hook registered as a plain statement (its handle dropped, as documented) must not warn.
#![deny(warnings)]

use graceful::Shutdown;

struct Config(u8);

fn config() -> Config {
    Config(7)
}

fn run(cfg: Config) -> u8 {
    cfg.0
}

fn body() -> u8 {
    1
}

#[graceful::main(quiet)]
fn main() {
    graceful::on_shutdown("bye", || ());
    assert_eq!(run(config()) + body(), 8);
}

#[graceful::on_shutdown]
fn shutdown(shutdown: &Shutdown) {
    let _ = shutdown.reason();
}

#[allow(non_snake_case)]
#[graceful::on_shutdown]
fn HOOK() {}

#[graceful::on_shutdown]
#[cfg_attr(all(), cfg(any()))]
fn compiled_out() {}
