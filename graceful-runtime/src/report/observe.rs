//! The report's events in the program's own logs: a `log` record (feature `log`) and a
//! `tracing` event (feature `tracing`) per event, target `graceful`, with the fields of the
//! JSON report. They are emitted whatever `GRACEFUL_REPORT` says, so the stderr report can be
//! turned off when one of them is on.

use super::fields::{Fields, Severity};

/// Emit one event; `text` is the report's line for it.
pub(crate) fn emit(fields: &Fields, text: &str) {
    #[cfg(feature = "log")]
    emit_log(fields, text);
    #[cfg(feature = "tracing")]
    emit_tracing(fields, text);
}

#[cfg(feature = "log")]
fn emit_log(f: &Fields, text: &str) {
    let level = match f.severity() {
        Severity::Info => log::Level::Info,
        Severity::Warn => log::Level::Warn,
        Severity::Error => log::Level::Error,
    };
    if !log::log_enabled!(target: "graceful", level) {
        return;
    }
    let order = f.order.map(|o| o.to_string());
    let took = f.took_ms.map(|t| format!("{t:.3}"));
    let running = f.still_running.as_ref().map(|r| r.join(", "));
    let pairs: Vec<(&str, &str)> = [
        ("event", Some(f.event)),
        ("signal", f.signal),
        ("outcome", f.outcome),
        ("cause", f.cause.as_deref()),
        ("how", f.how.as_deref()),
        ("name", f.name.as_deref()),
        ("order", order.as_deref()),
        ("at", f.at.as_deref()),
        ("took_ms", took.as_deref()),
        ("error", f.error.as_deref()),
        ("still_running", running.as_deref()),
        ("exit", f.exit.as_deref()),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k, v?)))
    .collect();
    log::logger().log(
        &log::Record::builder()
            .target("graceful")
            .level(level)
            .args(format_args!("{text}"))
            .key_values(&pairs.as_slice())
            .build(),
    );
}

#[cfg(feature = "tracing")]
fn emit_tracing(f: &Fields, text: &str) {
    let running = f.still_running.as_ref().map(|r| r.join(", "));
    macro_rules! event {
        ($level:expr) => {
            tracing::event!(
                target: "graceful",
                $level,
                event = f.event,
                signal = f.signal,
                outcome = f.outcome,
                cause = f.cause.as_deref(),
                how = f.how.as_deref(),
                name = f.name.as_deref(),
                order = f.order,
                at = f.at.as_deref(),
                took_ms = f.took_ms,
                error = f.error.as_deref(),
                still_running = running.as_deref(),
                exit = f.exit.as_deref(),
                "{text}"
            )
        };
    }
    match f.severity() {
        Severity::Info => event!(tracing::Level::INFO),
        Severity::Warn => event!(tracing::Level::WARN),
        Severity::Error => event!(tracing::Level::ERROR),
    }
}
