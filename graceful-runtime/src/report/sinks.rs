//! The report's events in the program's own logs: a `log` record (feature `log`) and a
//! `tracing` event (feature `tracing`) per event, target `graceful`, with the fields of the
//! JSON report. They are emitted whatever `GRACEFUL_REPORT` says, so the stderr report can be
//! turned off when one of them is on.
//!
//! These are user code (the program's logger and subscriber): only the reporter thread calls
//! them (and the actions' thread, for an action's event, outside any stop), one event at a time, with no lock of graceful's held and each call isolated, so a
//! sink that panics loses that event and one that blocks holds only the reporter (which the
//! watchdog then replaces).

use super::fields::Fields;

/// Whether any sink is compiled in.
pub(crate) const ANY: bool = cfg!(any(feature = "log", feature = "tracing"));

/// Emit one event; `text` is the report's line for it.
#[cfg_attr(
    not(any(feature = "log", feature = "tracing")),
    allow(unused_variables)
)]
pub(crate) fn emit(fields: &Fields, text: &str) {
    #[cfg(feature = "log")]
    emit_log(fields, text);
    #[cfg(feature = "tracing")]
    fields.emit_tracing(text);
}

#[cfg(feature = "log")]
fn emit_log(f: &Fields, text: &str) {
    use super::fields::{Severity, Visit};

    /// The fields as `log` key-values: owned strings, borrowed by the record.
    struct Pairs(Vec<(&'static str, String)>);
    impl Visit for Pairs {
        fn text(&mut self, key: &'static str, value: &str) {
            self.0.push((key, value.to_owned()));
        }
        fn int(&mut self, key: &'static str, value: i64) {
            self.0.push((key, value.to_string()));
        }
        fn float(&mut self, key: &'static str, value: f64) {
            self.0.push((key, format!("{value:.3}")));
        }
        fn list(&mut self, key: &'static str, value: &[String]) {
            self.0.push((key, value.join(", ")));
        }
    }

    let level = match f.severity() {
        Severity::Info => log::Level::Info,
        Severity::Warn => log::Level::Warn,
        Severity::Error => log::Level::Error,
    };
    if !log::log_enabled!(target: "graceful", level) {
        return;
    }
    let mut pairs = Pairs(Vec::new());
    f.visit(&mut pairs);
    let kv: Vec<(&str, &str)> = pairs.0.iter().map(|(k, v)| (*k, v.as_str())).collect();
    log::logger().log(
        &log::Record::builder()
            .target("graceful")
            .level(level)
            .args(format_args!("{text}"))
            .key_values(&kv.as_slice())
            .build(),
    );
}
