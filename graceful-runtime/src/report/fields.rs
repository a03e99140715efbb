//! One event as named fields: what the JSON object, `log` records and `tracing` events carry.
//! The names are part of the documented schema: keep them stable.

use super::{BodyEnd, Event};
use crate::{exit_code::Decision, runner::HookOutcome};

/// How bad an event is, for `log` and `tracing` levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(any(feature = "log", feature = "tracing")), allow(dead_code))]
pub(crate) enum Severity {
    Info,
    Warn,
    Error,
}

#[derive(Debug, Default)]
pub(crate) struct Fields {
    pub(crate) event: &'static str,
    pub(crate) signal: Option<&'static str>,
    pub(crate) outcome: Option<&'static str>,
    pub(crate) cause: Option<String>,
    pub(crate) how: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) order: Option<i32>,
    pub(crate) at: Option<String>,
    pub(crate) took_ms: Option<f64>,
    pub(crate) error: Option<String>,
    pub(crate) still_running: Option<Vec<String>>,
    pub(crate) exit: Option<String>,
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
            Event::Duplicate(s) => {
                f.event = "duplicate";
                f.signal = Some(s.name());
            }
            Event::BodyEnded(end) => {
                f.event = "main_ended";
                f.how = Some(
                    match end {
                        BodyEnd::Ok => "ok",
                        BodyEnd::Shutdown => "shutdown",
                        BodyEnd::Failed => "failed",
                        BodyEnd::Code => "code",
                        BodyEnd::Exit(_) => "exit",
                        BodyEnd::Panicked => "panicked",
                    }
                    .into(),
                );
            }
            Event::BodyAbandoned(..) => f.event = "main_abandoned",
            Event::Hook {
                info,
                outcome,
                took_ns,
            } => {
                f.event = "hook";
                f.name = Some(info.name().to_owned());
                f.order = Some(info.order());
                let (file, line) = info.location();
                f.at = Some(format!("{file}:{line}"));
                let (kind, message) = match outcome {
                    HookOutcome::Ok => ("ok", None),
                    HookOutcome::Failed(m) => ("failed", Some(m.clone())),
                    HookOutcome::Panicked(m) => ("panicked", Some(m.clone())),
                    HookOutcome::Exit(c) => ("exit", Some(format!("exit({c})"))),
                    HookOutcome::TimedOut(..) => ("timed_out", None),
                };
                f.outcome = Some(kind);
                f.error = message;
                f.took_ms = Some(*took_ns as f64 / 1e6);
            }
            Event::Deadline(_, running) => {
                f.event = "deadline";
                f.still_running = Some(running.clone());
            }
            Event::Forced(s) => {
                f.event = "forced";
                f.signal = Some(s.name());
            }
            Event::Exit(d) => {
                f.event = "exit";
                f.exit = Some(match d {
                    Decision::Die(s) => s.name().to_owned(),
                    Decision::Code(c) => c.to_string(),
                    Decision::Main(code) => crate::exit_code::number(*code)
                        .map_or_else(|| "main".to_owned(), |n| n.to_string()),
                    Decision::MainDecides => "main".to_owned(),
                });
            }
        }
        f
    }

    #[cfg_attr(not(any(feature = "log", feature = "tracing")), allow(dead_code))]
    pub(crate) fn severity(&self) -> Severity {
        match (self.event, self.outcome) {
            ("deadline" | "forced", _) => Severity::Error,
            ("hook", Some("failed" | "panicked" | "timed_out")) | ("main_abandoned", _) => {
                Severity::Warn
            }
            ("main_ended", _) if matches!(self.how.as_deref(), Some("failed" | "panicked")) => {
                Severity::Warn
            }
            _ => Severity::Info,
        }
    }
}
