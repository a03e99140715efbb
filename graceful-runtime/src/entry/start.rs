//! Start-up: the configuration, the handlers, the watchdog, in that order, before the body runs.

use crate::{
    ConfigError, actions, body, clock,
    config::{self, Settings},
    exit_code, health, hooks, intake, report, runner,
    state::STATE,
    stopping, sys, watchdog,
};

/// Install graceful for a body on this thread (a future, `is_async`). Once per process.
pub(crate) fn start(settings: &Settings, is_async: bool) -> Result<(), ConfigError> {
    let config =
        settings.resolve(|var| std::env::var_os(var).map(|v| v.to_string_lossy().into_owned()))?;
    // The static hooks' edges admit an order, or the body never runs.
    hooks::check_statics().map_err(ConfigError::HookGraph)?;
    // What can fail for want of a resource comes before anything is installed.
    let probe = match config.probe {
        Some(addr) => Some(health::bind(addr).map_err(|error| ConfigError::Probe { addr, error })?),
        None => None,
    };
    if !STATE.install() {
        return Err(ConfigError::AlreadyInstalled);
    }
    // A signal means one thing: a stop signal that an action took is refused.
    actions::register_static()?;
    actions::claim_stop_signals(&config.signals)?;
    report::configure(&config);
    STATE.set_drain(crate::clock::ns(config.drain));
    stopping::init_words().map_err(ConfigError::Os)?;
    sys::install(&config.signals, intake::received).map_err(ConfigError::Os)?;
    watchdog::spawn(&config).map_err(ConfigError::Os)?;
    if let Some(listener) = probe {
        health::start(listener).map_err(ConfigError::Os)?;
    }
    let print_plan = config.print_plan;
    config::set_in_force(config);
    if print_plan {
        // `GRACEFUL_PLAN=1`: what the stop will run, before the body does.
        eprint!("graceful: {}", hooks::hooks());
    }
    if stopping::futures_waiting() {
        // Futures polled before graceful was installed: the reporter wakes them at the stop.
        report::reporter::ensure_started();
    }
    #[cfg(all(unix, feature = "systemd"))]
    if crate::systemd::listening() {
        // The manager should hear STOPPING=1 at once: the first signal wakes the reporter
        // (a few microseconds on the body's way to its first hook, for services under systemd).
        report::reporter::ensure_started();
        stopping::wake_reporter_at_signal();
    }
    if cfg!(panic = "abort") {
        announce_aborting_panics();
    }
    body::enter(is_async);
    Ok(())
}

/// Under `panic = "abort"` a panic in main or in a hook ends the process before graceful can
/// report it: a panic hook, chained before the one in place, says so in one bounded line.
fn announce_aborting_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let what = match (runner::current_hook_name(), actions::current_action_name()) {
            (Some(name), _) => Some(format!("hook {name:?} panicked")),
            (None, Some(name)) => Some(format!("action {name:?} panicked")),
            _ if body::is_body_thread() => Some("main panicked".to_owned()),
            _ => None,
        };
        if let Some(what) = what {
            let line = format!(
                "graceful: {what}, built with panic = \"abort\": the process aborts now, and \
                 the hooks still to run do not\n"
            );
            sys::stderr_bounded(line.as_bytes(), clock::now_ns().saturating_add(100_000_000));
        }
        previous(info);
    }));
}

/// A configuration error ends the process before the body runs: exit 78, `EX_CONFIG`. A
/// second installation is not one: the process is supervised already (this is, say, a nested
/// `run` in a hook), so the body runs as a plain function; `false` then.
pub(crate) fn start_or_exit(settings: &Settings, is_async: bool) -> bool {
    match start(settings, is_async) {
        Ok(()) => true,
        Err(ConfigError::AlreadyInstalled) => {
            eprintln!(
                "graceful: already installed in this process: running this body as it is, \
                 without a second installation"
            );
            false
        }
        Err(e) => {
            eprintln!("graceful: {e}");
            std::process::exit(exit_code::config_error());
        }
    }
}
