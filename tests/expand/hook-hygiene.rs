// A hook named like the closure's parameter, one named like the static, one behind a
// `cfg_attr` that comes to a `cfg`.
#[graceful::on_shutdown]
fn shutdown(shutdown: &graceful::Shutdown) {}

#[allow(non_snake_case)]
#[graceful::on_shutdown]
fn HOOK() {}

#[graceful::on_shutdown]
#[cfg_attr(unix, cfg(unix))]
fn on_unix() {}

fn main() {}
