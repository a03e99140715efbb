//! One event as named fields: what the JSON object, `log` records and `tracing` events carry.
//! The names are part of the documented schema (`docs/REPORT.md`): they are listed once, in the
//! `fields!` invocation below, which writes the struct, the visitor that the JSON object and
//! `log` read, the `tracing` event, and the owned form the JSON is read back into
//! ([`Parsed`], for `graceful::test`).

use super::{Event, HookOutcome};
use crate::{
    event::{AfterTimeout, ChildEnd, Hint},
    exit_code::Decision,
    main_end::MainEnd,
};

/// How bad an event is, for `log` and `tracing` levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(any(feature = "log", feature = "tracing")), allow(dead_code))]
pub(crate) enum Severity {
    Info,
    Warn,
    Error,
}

/// Reads the fields that are present, in the schema's order.
pub(crate) trait Visit {
    fn text(&mut self, key: &'static str, value: &str);
    fn int(&mut self, key: &'static str, value: i64);
    fn float(&mut self, key: &'static str, value: f64);
    fn list(&mut self, key: &'static str, value: &[String]);
}

macro_rules! field_type {
    (text) => { &'static str };
    (opt_text) => { Option<&'static str> };
    (opt_string) => { Option<String> };
    (opt_int) => { Option<i64> };
    (opt_float) => { Option<f64> };
    (opt_list) => { Option<Vec<String>> };
}

macro_rules! parsed_type {
    (text) => { String };
    (opt_text) => { Option<String> };
    (opt_string) => { Option<String> };
    (opt_int) => { Option<i64> };
    (opt_float) => { Option<f64> };
    (opt_list) => { Option<Vec<String>> };
}

macro_rules! parse_field {
    (text, $k:expr, $v:expr) => {
        $v.string($k)?
    };
    (opt_text, $k:expr, $v:expr) => {
        Some($v.string($k)?)
    };
    (opt_string, $k:expr, $v:expr) => {
        Some($v.string($k)?)
    };
    (opt_int, $k:expr, $v:expr) => {
        Some($v.int($k)?)
    };
    (opt_float, $k:expr, $v:expr) => {
        Some($v.float($k)?)
    };
    (opt_list, $k:expr, $v:expr) => {
        Some($v.strings($k)?)
    };
}

macro_rules! visit_field {
    (text, $v:ident, $k:expr, $x:expr) => {
        $v.text($k, $x)
    };
    (opt_text, $v:ident, $k:expr, $x:expr) => {
        if let Some(x) = $x {
            $v.text($k, x)
        }
    };
    (opt_string, $v:ident, $k:expr, $x:expr) => {
        if let Some(x) = $x {
            $v.text($k, x)
        }
    };
    (opt_int, $v:ident, $k:expr, $x:expr) => {
        if let Some(x) = $x {
            $v.int($k, *x)
        }
    };
    (opt_float, $v:ident, $k:expr, $x:expr) => {
        if let Some(x) = $x {
            $v.float($k, *x)
        }
    };
    (opt_list, $v:ident, $k:expr, $x:expr) => {
        if let Some(x) = $x {
            $v.list($k, x)
        }
    };
}

#[cfg(feature = "tracing")]
macro_rules! traced_field {
    (text, $x:expr) => {
        *$x
    };
    (opt_text, $x:expr) => {
        *$x
    };
    (opt_string, $x:expr) => {
        $x.as_deref()
    };
    (opt_int, $x:expr) => {
        *$x
    };
    (opt_float, $x:expr) => {
        *$x
    };
    (opt_list, $x:expr) => {
        $x.as_ref().map(|l| l.join(", "))
    };
}

macro_rules! fields {
    ($($name:ident: $kind:ident),* $(,)?) => {
        /// The fields of one event.
        #[derive(Debug, Default)]
        pub(crate) struct Fields {
            $(pub(crate) $name: field_type!($kind),)*
        }

        /// The fields of one event as read back from the JSON object: owned, and every one that
        /// was present.
        #[derive(Clone, Debug, Default, PartialEq)]
        pub(crate) struct Parsed {
            $(pub(crate) $name: parsed_type!($kind),)*
        }

        impl Parsed {
            /// Set the field named `key` to `value`, read as the writer writes that field.
            ///
            /// # Errors
            /// A key outside the schema, or a value of another kind than the field's.
            pub(crate) fn set(
                &mut self,
                key: &str,
                value: super::value::Value,
            ) -> Result<(), super::value::ParseError> {
                match key {
                    $(stringify!($name) => self.$name = parse_field!($kind, stringify!($name), value),)*
                    _ => return Err(super::value::ParseError::UnknownKey(key.to_owned())),
                }
                Ok(())
            }
        }

        impl Fields {
            /// Each field that is present, in the schema's order.
            pub(crate) fn visit(&self, v: &mut impl Visit) {
                $(visit_field!($kind, v, stringify!($name), &self.$name);)*
            }

            /// The event as a `tracing` event, target `graceful`, with `text` as its message.
            #[cfg(feature = "tracing")]
            pub(crate) fn emit_tracing(&self, text: &str) {
                $(let $name = traced_field!($kind, &self.$name);)*
                macro_rules! at {
                    ($level:expr) => {
                        tracing::event!(target: "graceful", $level, $($name = $name,)* "{}", text)
                    };
                }
                match self.severity() {
                    Severity::Info => at!(tracing::Level::INFO),
                    Severity::Warn => at!(tracing::Level::WARN),
                    Severity::Error => at!(tracing::Level::ERROR),
                }
            }
        }
    };
}

fields! {
    event: text,
    signal: opt_text,
    outcome: opt_text,
    cause: opt_string,
    how: opt_string,
    name: opt_string,
    order: opt_int,
    at: opt_string,
    took_ms: opt_float,
    started_ms: opt_float,
    error: opt_string,
    still_running: opt_list,
    held: opt_list,
    hint: opt_text,
    pid: opt_int,
    status: opt_string,
    exit: opt_string,
}

/// The word for how main ended, as `main_ended`'s `how`.
pub(crate) fn how(end: &MainEnd) -> &'static str {
    match end {
        MainEnd::Ok | MainEnd::Unknown => "ok",
        MainEnd::Shutdown => "shutdown",
        MainEnd::Failed(_) => "failed",
        MainEnd::Code(_) => "code",
        MainEnd::Exited(_) | MainEnd::PanickedAfterExit(_) => "exit",
        MainEnd::Panicked => "panicked",
        MainEnd::Abandoned => "abandoned",
    }
}

impl Fields {
    pub(crate) fn of(event: &Event) -> Fields {
        let mut f = Fields::default();
        match event {
            Event::Draining(s, _) => {
                f.event = "draining";
                f.signal = Some(s.name());
            }
            Event::Stopping(r) => {
                f.event = "stopping";
                f.cause = Some(r.to_string());
            }
            Event::Absorbed(s) => {
                f.event = "absorbed";
                f.signal = Some(s.name());
            }
            Event::Ignored(s) => {
                f.event = "ignored";
                f.signal = Some(s.name());
            }
            Event::Duplicate(s) => {
                f.event = "duplicate";
                f.signal = Some(s.name());
            }
            Event::MainEnded(end) => {
                f.event = "main_ended";
                f.how = Some(how(end).into());
            }
            Event::MainAbandoned { held, hint, .. } => {
                f.event = "main_abandoned";
                f.hint = Some(match hint {
                    Hint::NeverAsked => "never_asked",
                    Hint::BudgetRule => "budget_rule",
                });
                if !held.is_empty() {
                    f.held = Some(held.clone());
                }
            }
            Event::Waiting(held) => {
                f.event = "waiting";
                f.held = Some(held.clone());
            }
            Event::WorkFailed { work, error } => {
                f.event = "work_failed";
                f.name = Some(work.name_now());
                f.at = Some(work.at_now());
                f.outcome = Some(if work.panicked() {
                    "panicked"
                } else {
                    "failed"
                });
                f.error = Some(error.clone());
            }
            Event::PlanDropped(problem) => {
                f.event = "plan_dropped";
                f.error = Some(problem.to_string());
            }
            // The program's own line: kept out of the JSON object and the sinks.
            Event::MainError(m) => {
                f.event = "main_error";
                f.error = Some(m.clone());
            }
            Event::Hook {
                info,
                outcome,
                took_ns,
                started_ns,
            } => {
                f.event = "hook";
                f.name = Some(info.name().to_owned());
                f.order = Some(i64::from(info.order()));
                f.started_ms = Some(*started_ns as f64 / 1e6);
                let (file, line) = info.location();
                f.at = Some(format!("{file}:{line}"));
                f.outcome_of(outcome, *took_ns);
            }
            Event::Child { name, pid, end } => {
                f.event = "child";
                f.name = Some(name.to_string());
                f.pid = Some(i64::from(*pid));
                let (outcome, status) = match end {
                    ChildEnd::Before(s) => ("ended_before", Some(s.clone())),
                    ChildEnd::Stopped { status, after_ns } => {
                        f.took_ms = Some(*after_ns as f64 / 1e6);
                        ("stopped", Some(status.clone()))
                    }
                    ChildEnd::Killed { status, .. } => ("killed", status.clone()),
                    ChildEnd::Lost(e) => {
                        f.error = Some(e.clone());
                        ("lost", None)
                    }
                };
                f.outcome = Some(outcome);
                f.status = status;
            }
            Event::Action {
                signal,
                name,
                at,
                outcome,
                took_ns,
            } => {
                f.event = "action";
                f.signal = Some(signal.name());
                f.name = Some(name.to_string());
                f.at = Some(format!("{}:{}", at.file(), at.line()));
                f.outcome_of(outcome, *took_ns);
            }
            Event::Deadline { still_running, .. } => {
                f.event = "deadline";
                f.still_running = Some(still_running.clone());
            }
            Event::Forced(s) => {
                f.event = "forced";
                f.signal = Some(s.name());
            }
            Event::Exit(d) => {
                f.event = "exit";
                f.exit = Some(match d {
                    Decision::Die(s) => s.name().to_owned(),
                    Decision::MainDecides => "main".to_owned(),
                    Decision::Main(code) if crate::exit_code::number(*code).is_none() => {
                        "main".to_owned()
                    }
                    other => other.code().to_string(),
                });
            }
        }
        f
    }

    /// How a hook or an action ended, and how long it took.
    fn outcome_of(&mut self, outcome: &HookOutcome, took_ns: u64) {
        let (kind, message) = match outcome {
            HookOutcome::Ok => ("ok", None),
            HookOutcome::Failed(m) => ("failed", Some(m.clone())),
            HookOutcome::Panicked(m) => ("panicked", Some(m.clone())),
            HookOutcome::Exit(c) => ("exit", Some(format!("exit({c})"))),
            HookOutcome::TimedOut {
                then: AfterTimeout::Cancelled,
                ..
            } => ("timed_out", Some("cancelled".to_owned())),
            HookOutcome::TimedOut { .. } => ("timed_out", None),
        };
        self.outcome = Some(kind);
        self.error = message;
        self.took_ms = Some(took_ns as f64 / 1e6);
    }

    #[cfg_attr(not(any(feature = "log", feature = "tracing")), allow(dead_code))]
    pub(crate) fn severity(&self) -> Severity {
        match (self.event, self.outcome) {
            ("deadline" | "forced", _) => Severity::Error,
            ("hook" | "action", Some("failed" | "panicked" | "timed_out"))
            | ("main_abandoned" | "work_failed" | "plan_dropped", _)
            | ("child", Some("killed" | "lost")) => Severity::Warn,
            ("main_ended", _) if matches!(self.how.as_deref(), Some("failed" | "panicked")) => {
                Severity::Warn
            }
            _ => Severity::Info,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Reason, Signal};

    struct Keys(Vec<&'static str>);
    impl Visit for Keys {
        fn text(&mut self, k: &'static str, _: &str) {
            self.0.push(k);
        }
        fn int(&mut self, k: &'static str, _: i64) {
            self.0.push(k);
        }
        fn float(&mut self, k: &'static str, _: f64) {
            self.0.push(k);
        }
        fn list(&mut self, k: &'static str, _: &[String]) {
            self.0.push(k);
        }
    }

    #[test]
    fn only_present_fields_are_visited_in_schema_order() {
        let mut keys = Keys(Vec::new());
        Fields::of(&Event::Stopping(Reason::Signal(Signal::SIGTERM))).visit(&mut keys);
        assert_eq!(keys.0, ["event", "cause"]);
        let mut keys = Keys(Vec::new());
        Fields::of(&Event::Deadline {
            timeout: std::time::Duration::from_secs(1),
            still_running: vec!["hook \"x\"".into()],
        })
        .visit(&mut keys);
        assert_eq!(keys.0, ["event", "still_running"]);
    }
}
