//! The attributes of the [`graceful`](https://docs.rs/graceful) crate: `#[graceful::main]`,
//! `#[graceful::on_shutdown]` and `#[graceful::test]`.
//!
//! Depend on `graceful`, not on this crate: it re-exports the attributes, and the code they
//! write names only `::graceful::__private::...` (or `crate = path`'s `__private`). The
//! runnable examples live there.
//!
//! # Map of the crate
//! Each attribute goes through the same stages, one file each:
//!
//! | stage | file | does |
//! | --- | --- | --- |
//! | syntax | `args.rs` | `key = value`, bare `quiet`, `signals = [A, B]` |
//! | meaning | `config.rs`, `test_config.rs` | typed settings kept with their spans: unknown and duplicate keys, rules between keys |
//! | | `duration.rs` | `"250ms"`, `"5s"`, `"2m"`, `"1h"` |
//! | the function | `validate_main.rs`, `validate_hook.rs`, `validate_test.rs`, `signature.rs` | what each attribute accepts |
//! | output | `expand_main.rs`, `expand_hook.rs`, `expand_test.rs` | the code written, a short call into the runtime |
//!
//! On a mistake an attribute writes the user's item back unchanged followed by one
//! `compile_error!` per mistake, so one mistake gives one error, spanned on the tokens to fix.
//! (A rejected `fn main` is nested inside a stub `fn main() {}`, so the compiler does not
//! report its signature again as an invalid entry point.)
//! Only this file touches `proc_macro`; every stage works on `proc_macro2` and is unit-tested.

mod action_config;
mod args;
mod config;
mod duration;
mod errors;
mod expand_action;
mod expand_hook;
mod expand_main;
mod expand_test;
mod hook_graph;
mod signature;
mod test_config;
mod validate_action;
mod validate_hook;
mod validate_main;
mod validate_test;

use proc_macro::TokenStream;

use crate::{
    action_config::ActionConfig,
    config::{HookConfig, MainConfig},
    errors::{both, with_errors},
    test_config::TestConfig,
};

/// Runs `fn main` under graceful: signals start an orderly shutdown, the shutdown hooks run
/// once main has returned, and the process exits with the right code.
///
/// Put it on a `fn main()` that takes no parameters and returns `()`, `Result<(), E>` (with
/// `E: Debug`, as std requires), or `std::process::ExitCode`; aliases such as
/// `anyhow::Result<()>` or `io::Result<()>` work too.
///
/// # Async
/// On an `async fn main`, put `#[graceful::main]` **above** the runtime's attribute:
///
/// ```ignore
/// #[graceful::main]
/// #[tokio::main]
/// async fn main() {
///     tokio::select! {
///         _ = serve() => {}
///         _ = graceful::shutdown() => {}   // resolves on SIGTERM
///     }
/// }
/// ```
///
/// graceful then installs its handlers inside the runtime before the body runs; at
/// `body_timeout` the body future is dropped (its destructors run: the async form of
/// unwinding); async hooks are awaited on the same runtime, so tokio types work in them.
/// The other order, `#[tokio::main]` above `#[graceful::main]`, also works but gives less:
/// graceful then sees the synchronous `fn main` tokio wrote, so a body that overruns
/// `body_timeout` is abandoned rather than dropped, and async hooks run after tokio's runtime
/// is gone (with the `tokio` feature, on a fresh current-thread runtime).
///
/// ```ignore
/// #[graceful::main(timeout = "30s")]
/// fn main() -> Result<(), graceful::Shutdown> {
///     loop {
///         do_some_work();
///         graceful::sleep(std::time::Duration::from_secs(1))?; // Err(Shutdown) on SIGTERM
///     }
/// }
/// ```
///
/// # Options
/// Every option may be left out; give each at most once, separated by commas.
///
/// | option | value | default |
/// | --- | --- | --- |
/// | `timeout` | a duration: `"30s"` | 10 s (`GRACEFUL_TIMEOUT` overrides it) |
/// | `body_timeout` | a duration, at most `timeout` | half of the final `timeout` (less any drain) |
/// | `drain` | a duration, shorter than `timeout` | none (`GRACEFUL_DRAIN` overrides it) |
/// | `signals` | a list of `SIGTERM`, `SIGINT`, `SIGHUP`, `SIGQUIT` | `[SIGTERM, SIGINT]` |
/// | `exit_code` | `"signal"`, or an exit code from 0 to 255 | 0 |
/// | `quiet` | no value (`quiet = true` and `quiet = false` are accepted too) | the report is on |
/// | `report` | `"text"`, `"json"`, `"off"` or `"always"` (text on every run, a quiet one too) | `"text"` for a run something stopped or that went wrong (`GRACEFUL_REPORT` overrides it) |
/// | `probe` | an address: `"127.0.0.1:9000"`, `"[::]:9000"` | no probe listener (`GRACEFUL_PROBE` overrides it) |
/// | `second_signal` | `"force"` or `"ignore"` | `"force"`: a second signal ends the process (`GRACEFUL_SECOND_SIGNAL` overrides it) |
/// | `concurrent_hooks` | no value (`concurrent_hooks = true` and `= false` are accepted too) | hooks run one at a time (`GRACEFUL_HOOKS` overrides it) |
/// | `crate` | a path: `gr`, `::my_framework::graceful` | `::graceful` |
///
/// - **`timeout`**: the longest the whole shutdown may take, from its start (a signal,
///   `graceful::trigger()`, main returning) to the exit; past it the process exits at once
///   with code 124. Durations are a whole number and a unit, no space: `"250ms"`, `"5s"`,
///   `"2m"`, `"1h"`.
/// - **`body_timeout`**: how long `main`'s body gets to return after a signal; it is part of
///   `timeout`, so it may not be longer.
/// - **`drain`**: after the first signal, `graceful::is_ready()` turns false but the body keeps
///   running this long (so a load balancer or Kubernetes can stop sending traffic); only then
///   is it told to stop. It counts toward `timeout`: drain + body_timeout + hooks ≤ timeout.
/// - **`signals`**: the signals that start the shutdown. `SIGKILL` and `SIGSTOP` cannot be
///   caught by any process, so naming them is a compile error.
/// - **`exit_code`**: the exit code of a clean stop after a signal. `"signal"` makes the
///   process die of the signal instead, so a shell or supervisor sees 128 + its number.
/// - **`quiet`**: turns the shutdown report on stderr off (`GRACEFUL_REPORT` overrides it).
/// - **`concurrent_hooks`**: within a stage (one `order`), hooks that nothing orders with
///   `after`/`before` run at the same time, each still isolated and timed, all within the one
///   `timeout` (`Builder::concurrent_hooks(true)`; `GRACEFUL_HOOKS=concurrent|sequential`
///   overrides it).
///
///   ```no_run
///   #[graceful::main(timeout = "20s", concurrent_hooks)]
///   fn main() {
///       // serve until SIGTERM
///   }
///
///   // Nothing orders these two: they run at the same time.
///   #[graceful::on_shutdown]
///   fn flush_cache() {}
///
///   #[graceful::on_shutdown]
///   fn close_sockets() {}
///   ```
///
/// # The equivalent code without the macro
/// ```ignore
/// #[graceful::main(timeout = "30s", body_timeout = "5s", signals = [SIGTERM, SIGHUP],
///                  exit_code = "signal", quiet)]
/// fn main() -> Result<(), MyError> { /* body */ }
/// ```
/// is written as follows; each builder call is there only when its option is given, and
/// with no options the builder is `::graceful::__private::Builder::new()`. The probe picks,
/// from main's return type, how to turn the body's result into an outcome (is an `Err` a
/// shutdown, or a failure?).
/// ```ignore
/// fn main() -> ::std::process::ExitCode {
///     fn __graceful_body() -> Result<(), MyError> { /* body, unchanged */ }
///     ::graceful::__private::run(
///         ::graceful::__private::Builder::new()
///             .timeout(::graceful::__private::Duration::from_millis(30000))
///             .body_timeout(::graceful::__private::Duration::from_millis(5000))
///             .signals([::graceful::__private::Signal::SIGTERM, ::graceful::__private::Signal::SIGHUP])
///             .exit_code(::graceful::__private::ExitPolicy::Signal)
///             .quiet(),
///         || {
///             use ::graceful::__private::probe::*;
///             (&&&Probe(__graceful_body())).outcome()
///         },
///     )
/// }
/// ```
/// For an `async fn main` the runtime's attribute moves to an inner function that awaits the
/// body inside the runtime:
/// ```ignore
/// fn main() -> ::std::process::ExitCode {
///     async fn __graceful_body() { /* body, unchanged */ }
///     #[tokio::main]
///     async fn __graceful_run() -> ::std::process::ExitCode {
///         ::graceful::__private::run_async(::graceful::__private::Builder::new(), async {
///             use ::graceful::__private::probe::*;
///             (&&&Probe(__graceful_body().await)).outcome()
///         })
///         .await
///     }
///     __graceful_run()
/// }
/// ```
/// Attributes and docs on `fn main` stay on the outer function. The names the expansion adds
/// are ones nobody writes (`__graceful_*`), so the body's own `run`, `body` or `config` stay
/// the user's.
///
/// # Hygiene
/// - **`crate = path`**: where graceful is, when it is renamed (`gr = { package = "graceful" }`
///   then `#[gr::main(crate = gr)]`) or re-exported by another crate
///   (`crate = ::my_framework::graceful`). The default is `::graceful`.
///
/// # Compile errors
/// `async fn main` without a runtime's attribute below (the error says to add
/// `#[tokio::main]`), a runtime's attribute on a synchronous main, parameters, generics,
/// `unsafe`, `const`,
/// `extern`, a function not named `main`, an item that is not a function, the attribute
/// applied twice, a return type that is `impl Trait`, a reference or `!`, and any bad option.
// The examples are about `fn main` itself, so they write it.
#[allow(clippy::needless_doctest_main)]
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    main_attribute(args.into(), item.into()).into()
}

/// Registers a function to run once when the program shuts down, after `main` has returned.
///
/// Put it on a free function (any visibility, in any module, in a binary or a library) that
/// takes no parameters or one `&graceful::Shutdown` (why the program is stopping), and
/// returns `()` or `Result<(), E>` with `E: Display`. An `Err` or a panic is reported, the
/// process will exit 1, and the next hook still runs.
///
/// An `async fn` works too: with an async `main` it is awaited on the program's runtime, so
/// tokio types work inside it; with a sync `main` it runs on a small built-in executor (with
/// the `tokio` feature, a current-thread tokio runtime). Past its `timeout` an async hook is
/// cancelled (its future dropped) rather than left behind.
///
/// ```ignore
/// #[graceful::on_shutdown(order = -5, name = "flush journal", timeout = "2s")]
/// fn flush(shutdown: &graceful::Shutdown) -> std::io::Result<()> {
///     eprintln!("flushing because of {shutdown}");
///     JOURNAL.lock().unwrap().flush()
/// }
/// ```
///
/// # Options
/// | option | value | default |
/// | --- | --- | --- |
/// | `order` | an integer that fits in `i32`, may be negative | 0 |
/// | `name` | a non-empty string | the function's name |
/// | `timeout` | a duration: `"2s"` | none: only the program's `timeout` bounds it |
/// | `after` | a hook's path, or a list of them: `db::close_pool`, `[a, b]` | none |
/// | `before` | the same | none |
/// | `final` | no value (`final = true` and `final = false` are accepted too) | not final |
/// | `crate` | a path: `gr`, `::my_framework::graceful` | `::graceful` |
///
/// - **`order`**: hooks run in ascending order; hooks of equal order run sorted by module
///   path, then name (closures registered at run time with the same order go first).
///   Each `order` is a stage: every hook of a lower one has finished before a higher starts.
/// - **`name`**: what the report and `graceful::hooks()` call the hook.
/// - **`timeout`**: past it the hook is reported as failed and left behind, and the next one
///   runs. Durations are written as for `#[graceful::main]`: `"250ms"`, `"5s"`, `"2m"`.
/// - **`after`**, **`before`**: within its stage, this hook runs after (or before) the hooks
///   named. A path is an ordinary Rust path to another `#[graceful::on_shutdown]` function, in
///   any module or crate (`db::close_pool`, `crate::x::y`, `super::f`, `other_crate::flush`),
///   seen with that function's visibility. A path that names no hook is a compile error on the
///   path: a typo, a function without the attribute, a type. So is a hook naming itself, or
///   one path in both lists. A cycle through several hooks is reported when graceful starts,
///   before `main`'s body runs.
///
///   ```no_run
///   mod db {
///       #[graceful::on_shutdown]
///       pub(crate) fn close_pool() {}
///   }
///
///   // The journal is written through the pool: flush it first.
///   #[graceful::on_shutdown(before = db::close_pool)]
///   fn flush_journal() {}
///
///   #[graceful::on_shutdown(after = [flush_journal, db::close_pool])]
///   fn remove_lock_file() {}
///   # #[graceful::main] fn main() {}
///   ```
/// - **`final`**: the hook runs in the final stage, after graceful's own report has gone to its
///   sinks (text, JSON, `log`, `tracing`), within what is left of the program's `timeout`: the
///   place to flush telemetry. `order` does not apply to a final hook (giving both is an
///   error); final hooks are ordered among themselves with `after`/`before`.
///
///   ```no_run
///   #[graceful::on_shutdown(final)]
///   fn flush_telemetry() {
///       // send what the report logged through `tracing`
///   }
///   # #[graceful::main] fn main() {}
///   ```
///
/// # The equivalent code without the macro
/// ```ignore
/// #[graceful::on_shutdown(order = -5, timeout = "2s")]
/// fn flush(shutdown: &graceful::Shutdown) -> std::io::Result<()> { /* ... */ }
/// ```
/// is the function, unchanged, then a marker type of the same name (types and functions live
/// in different namespaces, so the two coexist), then the registration in a link-time list;
/// only the options given are written (`.order(..)`, `.timeout_ms(..)`, `.after(..)`,
/// `.before(..)`, `.final_stage()`), the defaults are the runtime's:
/// ```ignore
/// fn flush(shutdown: &graceful::Shutdown) -> std::io::Result<()> { /* ... */ }
/// #[doc(hidden)]
/// #[allow(non_camel_case_types, dead_code, unreachable_pub)]
/// struct flush {}
/// const _: () = {
///     #[::graceful::__private::linkme::distributed_slice(::graceful::__private::HOOKS)]
///     #[linkme(crate = ::graceful::__private::linkme)]
///     static __GRACEFUL_HOOK: ::graceful::__private::StaticHook = ::graceful::__private::StaticHook::new(
///         &__GRACEFUL_ID, "flush", (::core::module_path!(), ::core::file!(), ::core::line!()),
///         ::graceful::__private::HookFn::Sync(|shutdown| ::graceful::__private::hook_result(flush(shutdown))),
///     )
///     .order(-5)
///     .timeout_ms(2000);
///     static __GRACEFUL_ID: ::graceful::__private::HookId = ::graceful::__private::HookId::new();
///     #[diagnostic::do_not_recommend]
///     impl ::graceful::__private::Hook for flush {
///         const HOOK: ::graceful::__private::HookRef = &__GRACEFUL_ID;
///     }
/// };
/// ```
/// `after = [db::close_pool]` adds `.after(&[<db::close_pool as ::graceful::__private::Hook>::HOOK])`:
/// the marker is what makes a path to a hook resolve, and anything else fail to. The marker has
/// the function's visibility and `#[cfg]`s, and is hidden from the docs. A hook named like a
/// primitive type (`fn str()`) gets none, since it would shadow the type in its module; such a
/// hook cannot be named by others.
/// A function without the parameter is called as `HookFn::Sync(|_| ...(flush()))`; an
/// `async fn` as `HookFn::Async(|_| ::graceful::__private::async_hook(flush()))`, or with the
/// parameter `HookFn::Async(|shutdown| async_hook(async move { flush(&shutdown).await }))`.
/// The closure's parameter is hygienic (a hook named `shutdown` is still called by its name),
/// and the static's name is one nobody writes, so a hook may be called `HOOK`.
/// `#[cfg(...)]` attributes of the function are copied onto the marker and the `const _` block, and so is
/// the `cfg(...)` part of a `#[cfg_attr(...)]`, so a hook compiled out takes its registration
/// with it.
///
/// # Compile errors
/// Methods (`self`, or `Self` in the signature), more
/// parameters or another parameter type, generics, `unsafe`, `const`, `extern`, an item that
/// is not a function, the attribute applied twice, a return type that is `impl Trait`, a
/// reference or `!`, and any bad option: among them, for `after`/`before`, an empty list,
/// a quoted path, a path listed twice or in both lists, the hook itself (`self`, its own
/// name); `final` with `order`. A function without `self` inside an `impl` block
/// cannot be recognised by the attribute; the compiler rejects the registration instead.
#[proc_macro_attribute]
pub fn on_shutdown(args: TokenStream, item: TokenStream) -> TokenStream {
    hook_attribute(args.into(), item.into()).into()
}

/// Runs a function each time a signal arrives while the program runs: reload the configuration
/// on `SIGHUP`, reopen the log files on `SIGUSR1`. The signal comes first, `SIGHUP`, `SIGUSR1`
/// or `SIGUSR2`; a stop signal is refused.
///
/// Put it on a free function with no parameters, returning `()` or `Result<(), E>` with
/// `E: Display`, sync or `async`, in any crate the binary links. It runs on graceful's
/// actions' thread, one run at a time (repeats that arrive meanwhile make one more run), never
/// once Stopping has begun; an `Err` or a panic is reported and the program goes on. With the
/// `systemd` feature a `SIGHUP` action is a reload: `RELOADING=1` before, `READY=1` after.
/// The actions are armed when graceful is installed (`#[graceful::main]`, `install()`).
///
/// ```ignore
/// #[graceful::on_signal(SIGHUP, name = "reload settings")]
/// fn reload() -> std::io::Result<()> {
///     let fresh = std::fs::read_to_string("/etc/app.toml")?;
///     *SETTINGS.write().unwrap() = fresh;
///     Ok(())
/// }
/// ```
///
/// # Options
/// | option | value | default |
/// | --- | --- | --- |
/// | the signal, first | `SIGHUP`, `SIGUSR1` or `SIGUSR2` | required |
/// | `name` | a non-empty string | the function's name |
/// | `crate` | a path: `gr`, `::my_framework::graceful` | `::graceful` |
///
/// # The equivalent code without the macro
/// The function, unchanged, then its registration in a link-time list:
/// ```ignore
/// const _: () = {
///     #[::graceful::__private::linkme::distributed_slice(::graceful::__private::SIGNAL_ACTIONS)]
///     #[linkme(crate = ::graceful::__private::linkme)]
///     static __GRACEFUL_ACTION: ::graceful::__private::StaticAction = ::graceful::__private::StaticAction::new(
///         ::graceful::__private::Signal::SIGHUP, "reload settings", ::core::panic::Location::caller(),
///         ::graceful::__private::ActionFn::Sync(|| ::graceful::__private::hook_result(reload())),
///     );
/// };
/// ```
/// For closures that hold state, `graceful::on_signal(Signal::SIGHUP, "reload", closure)`.
///
/// # Compile errors
/// A stop signal (`SIGTERM`, `SIGINT`, `SIGQUIT`), `SIGKILL` or `SIGSTOP`, an unknown or a
/// second signal, parameters, methods, generics, `unsafe`, `const`, `extern`, the attribute
/// twice, a return type that is `impl Trait`, a reference or `!`, and any bad option. A signal
/// that `#[graceful::main(signals = [..])]` also lists is refused when graceful is installed
/// (exit 78, naming both).
#[proc_macro_attribute]
pub fn on_signal(args: TokenStream, item: TokenStream) -> TokenStream {
    action_attribute(args.into(), item.into()).into()
}

fn action_attribute(
    args: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let config = args::parse(args).and_then(ActionConfig::from_args);
    let action = syn::parse2(item.clone()).and_then(validate_action::check);
    match both(config, action) {
        Ok((config, action)) => expand_action::expand(config, &action, item),
        Err(error) => with_errors(item, error),
    }
}

/// Tests a program's shutdown: the body runs in a child process, under graceful with every
/// hook the test binary links, gets the signals the attribute names, and the parent checks the
/// child's report (`graceful::test::Report`).
///
/// ```ignore
/// #[graceful::test(signal = SIGTERM, check = flushed_then_released)]
/// fn a_sigterm_flushes_then_releases() -> Result<(), graceful::Shutdown> {
///     let _journal = Journal::open()?;
///     graceful::test::ready();                  // the SIGTERM comes now
///     loop {
///         graceful::sleep(Duration::from_secs(1))?;
///     }
/// }
///
/// fn flushed_then_released(report: graceful::test::Report) {
///     assert_eq!(report.hook_names(), ["flush journal", "release lock"], "{report}");
/// }
/// ```
///
/// # Options
/// | option | value | default |
/// | --- | --- | --- |
/// | `signal` | `SIGTERM`, `SIGINT`, `SIGHUP` or `SIGQUIT` | none: the body ends on its own |
/// | `after` | `ready`, or a duration from the start of the child's body (graceful installed): `"200ms"` | `ready`: when the body calls `graceful::test::ready()` |
/// | `second` | a signal, sent after the first | none |
/// | `second_after` | `ready` (a `ready()` call made once the child is stopping), or a duration after the first signal (at least 150 ms are kept) | `"300ms"` |
/// | `kill_after` | a duration from the child's start | `"30s"`: past it the child is killed and the test fails |
/// | `check` | the path of a `fn(graceful::test::Report)`, run in the parent | `Report::assert_clean`: exit 0, every hook `Ok` |
/// | `timeout`, `body_timeout`, `drain`, `signals`, `exit_code`, `second_signal`, `concurrent_hooks`, `crate` | as for `#[graceful::main]` | as there |
///
/// The body is what `fn main`'s may be: no parameters, returning `()`, `Result<(), E>` or
/// `ExitCode`, synchronous. Other attributes (`#[should_panic]`, `#[ignore]`, docs) stay on
/// the test. `graceful::test` has the runtime's side: how the child is run, and the report.
///
/// # The equivalent code without the macro
/// ```ignore
/// #[::core::prelude::v1::test]
/// fn a_sigterm_flushes_then_releases() {
///     fn __graceful_body() -> Result<(), graceful::Shutdown> { /* body, unchanged */ }
///     ::graceful::__private::test::run(
///         ::graceful::__private::test::Plan::new(::core::module_path!(), "a_sigterm_flushes_then_releases")
///             .signal(::graceful::__private::Signal::SIGTERM)
///             .check(flushed_then_released),
///         ::graceful::__private::Builder::new(),
///         || {
///             use ::graceful::__private::probe::*;
///             (&&&Probe(__graceful_body())).outcome()
///         },
///     )
/// }
/// ```
///
/// # Compile errors
/// Parameters, `async`, generics, `unsafe`, `const`, `extern`, `#[test]` as well, the
/// attribute twice, a return type that is `impl Trait`, a reference or `!`, and any bad option
/// (`after` without `signal`, `second_after` without `second`, `quiet` or `report`, which are
/// the parent's to read).
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    test_attribute(args.into(), item.into()).into()
}

fn test_attribute(
    args: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let config = args::parse(args).and_then(TestConfig::from_args);
    let test = syn::parse2(item.clone()).and_then(validate_test::check);
    match both(config, test) {
        Ok((config, test)) => expand_test::expand(&config, test),
        Err(error) => with_errors(item, error),
    }
}

fn main_attribute(
    args: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let config = args::parse(args).and_then(MainConfig::from_args);
    let main = syn::parse2(item.clone()).and_then(validate_main::check);
    match both(config, main) {
        Ok((config, main)) => expand_main::expand(&config, main),
        Err(error) => with_errors(expand_main::rejected(item), error),
    }
}

fn hook_attribute(
    args: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let config = args::parse(args).and_then(HookConfig::from_args);
    let hook = syn::parse2(item.clone()).and_then(validate_hook::check);
    // The one rule between the options and the function: a hook does not name itself.
    let checked = both(config, hook).and_then(|(config, hook)| {
        config.graph.not_itself(&hook.item.sig.ident)?;
        Ok((config, hook))
    });
    match checked {
        Ok((config, hook)) => expand_hook::expand(config, &hook, item),
        Err(error) => with_errors(item, error),
    }
}
